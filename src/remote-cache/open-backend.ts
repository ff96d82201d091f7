import type { RegistryClientOptions } from '../registry/index.js';
import type { CacheBackend } from './backend.js';
import { localBackend } from './local-backend.js';
import { registryBackend } from './registry-backend.js';
import type { CacheExportSpec, CacheImportSpec } from './spec.js';
import { assertNever } from '../errors.js';

/** The backend a `--cache-to` or `--cache-from` spec names. */
export function openCacheBackend(spec: CacheExportSpec | CacheImportSpec, client: Omit<RegistryClientOptions, 'host'>): CacheBackend {
  switch (spec.type) {
    case 'registry':
      return registryBackend(spec.ref, client);
    case 'local':
      return localBackend('dest' in spec ? spec.dest : spec.src);
    default:
      return assertNever(spec, 'cache backend type');
  }
}
