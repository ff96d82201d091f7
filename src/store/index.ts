// The content-addressed store: blobs, snapshots in overlay format and their views,
// images and tags, cache records, leases, prune and fsck, in one directory + SQLite.
// Safe for concurrent processes; it never parses archives or argv.
export { Store, openStore } from './store.js';
export { resolveStoreRoot } from './root.js';
export { reportingNoSpace } from './disk-space.js';
export type { StoreRootOptions } from './root.js';
export { chainIdOf, chainIdsOf } from './snapshots.js';
export type { LayerInfo, CommitSnapshotOptions } from './snapshots.js';
export type { SnapshotView } from './views.js';
export type { ApplyLayerOptions } from './layer-import.js';
export type { LayerBlob, LayerCompression } from './layer-blobs.js';
export type { ResolvedImage, ImageSummary, PutImageOptions, RemoveImageResult } from './images.js';
export type { CacheRecord, PutCacheRecordOptions } from './cache-records.js';
export type { Lease } from './leases.js';
export type { PruneOptions, PruneResult } from './prune.js';
export type { FsckResult } from './fsck.js';
export type { DiskUsage, UsageLine } from './usage.js';
export { StoreError, ImageNotFoundError, DigestMismatchError } from './errors.js';
export { releaseReserveIfShort } from './disk-space.js';
export { withStore } from './with-store.js';
