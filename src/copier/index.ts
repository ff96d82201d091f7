// COPY, ADD and WORKDIR: plan the sources, write a fresh layer dir, and compute
// the checksum of the sources for the cache key (the same plan for both).
// Reads from the context or a mounted root; never from the host outside them.
export { copyToLayer } from './copy-to-layer.js';
export { sourceChecksum } from './source-checksum.js';
export { CopyError } from './errors.js';
export { parseChmod } from './chmod.js';
export type { ModeChange } from './chmod.js';
export type { CopyRequest, CopySource } from './types.js';
export { resolveOwner } from './owner.js';
export type { Owner } from './owner.js';
export { materializePath } from './materialize-path.js';
export type { MaterializePathOptions } from './materialize-path.js';
export { EscapeError, resolveInRoot } from './resolve-in-root.js';
