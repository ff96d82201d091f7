// The command line: argv parsing, usage errors, docker-style sizes, subcommands,
// progress renderers and the one error report a user sees.
// Nothing below this folder parses argv or prints.
export { createRenderer } from './progress/index.js';
export type { ProgressMode, Renderer } from './progress/index.js';
export { transferRenderer } from './progress/transfer.js';
export type { TransferRenderer } from './progress/transfer.js';
