// --cache-to / --cache-from: cache records and their gzip layers as an OCI manifest
// in a registry or an OCI layout dir (format in docs/remote-cache.md).
// A missing or broken import is a warning, never a failed build.
export { openCacheBackend } from './open-backend.js';
export type { CacheBackend, CacheBlob } from './backend.js';
export { ImportedCache, readCache } from './imported-cache.js';
export type { RestoredStep } from './imported-cache.js';
export { exportCache, stepsToExport } from './export-cache.js';
export type { CachedStep, CacheExportSummary } from './export-cache.js';
export { CACHE_CONFIG_MEDIA_TYPE } from './format.js';
export type { CacheConfig, CacheConfigRecord, CacheEntry, CacheLayer } from './format.js';
export { RemoteCacheError } from './errors.js';
export type { CacheExportSpec, CacheImportSpec, CacheMode, NormalizedCacheExportSpec } from './spec.js';
