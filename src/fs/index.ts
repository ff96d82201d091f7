// Small filesystem helpers every layer shares: durable renames (fsync of the dir),
// temp names owned by a process (pid + start time), and the one sha256 digest helper.
// No knowledge of stores, images or builds.
export { fsyncDir, moveToTrash } from './fs-sync.js';
export { ownerIsAlive, processIsAlive, selfStartTime, tempName } from './owner.js';
export { sha256Digest, sha256Hex } from './digest.js';
