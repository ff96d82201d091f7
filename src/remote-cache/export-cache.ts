import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { countBytes, shortDigest, type TransferListener } from '../image/index.js';
import type { LayerInfo, Store } from '../store/index.js';
import type { CacheBackend, CacheBlob } from './backend.js';
import { RemoteCacheError } from './errors.js';
import { encodeCache, type CacheConfigRecord } from './format.js';
import type { CacheMode } from './spec.js';

/** What the solver remembers of a step that produced or reused a snapshot. */
export interface CachedStep {
  key: string;
  /** The step's snapshot (top of its chain). */
  chainId: string;
  /** Index of the stage the step belongs to. */
  stage: number;
}

/** What an export wrote. */
export interface CacheExportSummary {
  records: number;
  layers: number;
}

/** The steps a mode exports, once per key: `min` only the target stage's, `max` all. */
export function stepsToExport(steps: readonly CachedStep[], mode: CacheMode, targetStage: number): CachedStep[] {
  const byKey = new Map<string, CachedStep>();
  for (const step of steps) if (mode === 'max' || step.stage === targetStage) byKey.set(step.key, step);
  return [...byKey.values()];
}

/**
 * Writes `steps` as a cache to `backend`: each record lists the full chain of its snapshot,
 * and each distinct layer goes once, as the store's gzip blob (made once and remembered, so a
 * second export compresses nothing).
 */
export async function exportCache(
  store: Store,
  steps: readonly CachedStep[],
  backend: CacheBackend,
  /** Per-blob byte progress of what the backend actually writes (blobs it has already are not read). */
  onProgress?: TransferListener,
): Promise<CacheExportSummary> {
  const layerIndex = new Map<string, number>();
  const layerRefs: LayerInfo[] = [];
  // Sorted by key, so that the same steps give the same layer order and the same manifest digest.
  const sorted = [...steps].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const records: CacheConfigRecord[] = sorted.map((step) => {
    const layers = chainOf(store, step.chainId).map((layer) => {
      let index = layerIndex.get(layer.diffId);
      if (index === undefined) {
        index = layerRefs.push(layer) - 1;
        layerIndex.set(layer.diffId, index);
      }
      return index;
    });
    return { key: step.key, layers, created: store.getCacheRecord(step.key)?.created ?? Date.now() };
  });
  const blobs = await store.layerBlobs(
    layerRefs.map((l) => l.chainId),
    { compression: 'gzip' },
  );
  const encoded = encodeCache(
    blobs.map((blob, i) => ({ descriptor: { mediaType: blob.mediaType, digest: blob.digest, size: blob.size }, diffId: layerRefs[i]!.diffId })),
    records,
  );
  const uploads: CacheBlob[] = [
    { digest: encoded.configDescriptor.digest, size: encoded.config.length, open: () => Readable.from([encoded.config]) },
    ...blobs.map((blob) => ({ digest: blob.digest, size: blob.size, open: () => createReadStream(blob.path) })),
  ].map((blob) => (onProgress ? reported(blob, onProgress) : blob));
  await backend.write(encoded.manifest, uploads);
  return { records: records.length, layers: blobs.length };
}

/** A snapshot and everything below it, bottom first. */
function chainOf(store: Store, chainId: string): LayerInfo[] {
  const chain: LayerInfo[] = [];
  for (let id: string | null = chainId; id !== null;) {
    const layer = store.getLayer(id);
    if (!layer) throw new RemoteCacheError(`layer ${id} of a cached step is missing from the store; run 'tsbuild fsck'`);
    chain.unshift(layer);
    id = layer.parent;
  }
  return chain;
}

/** `blob`, reporting its bytes as the backend reads them and `Pushed` at the end. */
function reported(blob: CacheBlob, onProgress: TransferListener): CacheBlob {
  const id = shortDigest(blob.digest);
  return {
    ...blob,
    open: () => {
      const counted = countBytes(blob.open(), (current) => onProgress({ id, status: 'Pushing', current, total: blob.size }));
      counted.once('end', () => onProgress({ id, status: 'Pushed' }));
      return counted;
    },
  };
}
