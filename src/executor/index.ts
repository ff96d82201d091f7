// The RUN sandbox: namespaces, overlay rootfs, mounts, seccomp and cgroups set
// up by the C init (native/init) as PID 1, and `tsbuild run` of an image.
// It gets host paths and bytes; it never parses a Dockerfile or opens the store.
export { runSandboxed } from './sandbox.js';
export { SandboxError } from './sandbox-error.js';
export { parseExtraHost } from './extra-hosts.js';
export type { ExtraHost, ResolvedMount, SandboxResult, SandboxSpec, Ulimit } from './types.js';
export { containerArgs, mergeEnv, runImage } from './run-image.js';
export type { RunImageOptions } from './run-image.js';
export { checkEmulation } from './emulation.js';
export { runsNatively } from './emulation.js';
