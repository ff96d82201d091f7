import { countBytes, shortDigest, type Descriptor, type TransferListener } from '../image/index.js';
import { sha256Digest } from '../fs/index.js';
import { chainIdsOf, type Store } from '../store/index.js';
import type { CacheBackend } from './backend.js';
import { RemoteCacheError } from './errors.js';
import { decodeCacheConfig, decodeCacheManifest, MAX_CONFIG_BYTES, type CacheEntry, type CacheLayer } from './format.js';

/** A step restored from an imported cache. */
export interface RestoredStep {
  /** Chain IDs of the step's snapshot and everything below it, bottom first. */
  chainIds: string[];
  /** When the step first ran, on whichever machine that was (ms). */
  created: number;
}

/**
 * The records of every `--cache-from`, looked up only when the local cache misses. Nothing
 * but the manifest and config is fetched up front: a layer is downloaded when a step that
 * hits needs it and the store lacks it.
 */
export class ImportedCache {
  readonly #entries = new Map<string, { entry: CacheEntry; backend: CacheBackend }>();
  /** Layers being (or already) fetched, by chain ID: a layer two steps share is fetched once, and a bad one fails them both. */
  readonly #fetches = new Map<string, Promise<void>>();

  constructor(readonly store: Store) {}

  /** Adds the entries of one cache; call in `--cache-from` order: the first cache that has a key wins. */
  add(backend: CacheBackend, entries: readonly CacheEntry[]): void {
    for (const entry of entries) if (!this.#entries.has(entry.key)) this.#entries.set(entry.key, { entry, backend });
  }

  /**
   * Puts the snapshot of `key` into the store and records the key there, downloading only the
   * layers of its chain the store lacks. Null when no imported cache has the key; throws
   * RemoteCacheError when a layer cannot be fetched or does not match its digests.
   */
  async restore(key: string, onProgress?: TransferListener): Promise<RestoredStep | null> {
    const found = this.#entries.get(key);
    if (!found) return null;
    const { entry, backend } = found;
    const chainIds = chainIdsOf(entry.layers.map((l) => l.diffId));
    for (const [i, layer] of entry.layers.entries()) {
      const chainId = chainIds[i]!;
      // A snapshot's parent is always in the store, so the first missing layer starts the download.
      if (this.store.hasSnapshot(chainId)) continue;
      let fetch = this.#fetches.get(chainId);
      if (!fetch) {
        fetch = this.#fetchLayer(backend, layer, i === 0 ? null : chainIds[i - 1]!, onProgress);
        this.#fetches.set(chainId, fetch);
      }
      await fetch;
    }
    this.store.putCacheRecord({ key, chainId: chainIds.at(-1)!, configDelta: null, created: entry.created });
    this.store.getCacheRecord(key); // holds the snapshot in this build's lease
    return { chainIds, created: entry.created };
  }

  async #fetchLayer(backend: CacheBackend, layer: CacheLayer, parent: string | null, onProgress: TransferListener | undefined): Promise<void> {
    const { digest, size } = layer.descriptor;
    const id = shortDigest(digest);
    try {
      const blob = await backend.openBlob(layer.descriptor);
      await this.store.applyLayerToSnapshot({
        parent,
        tar: onProgress ? countBytes(blob, (current) => onProgress({ id, status: 'Downloading', current, total: size })) : blob,
        expectedDigest: digest,
        expectedDiffId: layer.diffId,
        // Kept as the layer's gzip blob, so exporting or pushing it again sends the same bytes.
        keepBlob: true,
      });
      onProgress?.({ id, status: 'Download complete' });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new RemoteCacheError(`cache layer ${digest} from ${backend.name} is unusable: ${why}`, { cause: err });
    }
  }
}

/** Reads a cache's manifest and config (never its layers); null when there is no cache there yet. */
export async function readCache(backend: CacheBackend): Promise<CacheEntry[] | null> {
  const bytes = await backend.readManifest();
  if (bytes === null) return null;
  const manifest = decodeCacheManifest(bytes, backend.name);
  return decodeCacheConfig(await readSmallBlob(backend, manifest.config), manifest, backend.name);
}

/** Reads a config-sized blob whole, refusing oversized ones, and checks its digest. */
async function readSmallBlob(backend: CacheBackend, descriptor: Descriptor): Promise<Buffer> {
  const { digest, size } = descriptor;
  if (size > MAX_CONFIG_BYTES) throw new RemoteCacheError(`${backend.name}: the cache config is ${size} bytes; refusing more than ${MAX_CONFIG_BYTES}`);
  const parts: Buffer[] = [];
  let total = 0;
  for await (const part of (await backend.openBlob(descriptor)) as AsyncIterable<Buffer>) {
    total += part.length;
    if (total > MAX_CONFIG_BYTES) throw new RemoteCacheError(`${backend.name}: the cache config is larger than ${MAX_CONFIG_BYTES} bytes`);
    parts.push(part);
  }
  const bytes = Buffer.concat(parts);
  if (sha256Digest(bytes) !== digest)
    throw new RemoteCacheError(`${backend.name}: the cache config has digest ${sha256Digest(bytes)}, expected ${digest}`);
  return bytes;
}
