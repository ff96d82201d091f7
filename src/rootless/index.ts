export { RootlessError } from './errors.js';
export { idMapping, inUserNamespace, OVERLAY_XATTR_PREFIXES, overlayXattrPrefix } from './userns.js';
export { checkRootless, type RootlessCheck, type RootlessSetup } from './prerequisites.js';
export { runInUserNamespace } from './reexec.js';
