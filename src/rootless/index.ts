// Rootless mode: a non-root tsbuild re-executes itself as root of a user namespace
// (newuidmap/newgidmap via native/userns), checks what the user has, and relays API builds.
// Inside that namespace everything else runs unchanged, with the image's own ids.
export { RootlessError } from './errors.js';
export { idMapping, inUserNamespace, OVERLAY_XATTR_PREFIXES, overlayXattrPrefix } from './userns.js';
export { probeCapabilities } from './capabilities.js';
export { spawnInUserNamespace } from './reexec.js';
