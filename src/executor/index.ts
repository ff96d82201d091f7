export { runSandboxed } from './sandbox.js';
export { SandboxError } from './sandbox-error.js';
export type { ExtraHost, ResolvedMount, SandboxResult, SandboxSpec } from './types.js';
export { parseExtraHost } from './extra-hosts.js';
export { containerArgs, mergeEnv, runImage } from './run-image.js';
export type { RunImageOptions } from './run-image.js';
