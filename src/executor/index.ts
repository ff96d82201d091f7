export { runSandboxed } from './sandbox.js';
export { SandboxError } from './sandbox-error.js';
export { parseExtraHost } from './extra-hosts.js';
export type { ExtraHost, ResolvedMount, SandboxResult, SandboxSpec, Ulimit } from './types.js';
export { containerArgs, mergeEnv, runImage } from './run-image.js';
export type { RunImageOptions } from './run-image.js';
