export { RootlessError } from './errors.js';
export { idMapping, inUserNamespace, OVERLAY_XATTR_PREFIXES, overlayXattrPrefix } from './userns.js';
