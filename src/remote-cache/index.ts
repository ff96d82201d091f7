// The remote layer cache: `--cache-to` exports the build's cache records (keys and the layer
// chains of their snapshots) to a registry or an OCI layout directory; `--cache-from` imports
// them so another machine's build restores steps instead of running them.
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
