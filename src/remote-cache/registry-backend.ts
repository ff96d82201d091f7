import type { Readable } from 'node:stream';
import pLimit from 'p-limit';
import { MEDIA_TYPES, type Descriptor, formatReference, parseReference } from '../image/index.js';
import { isRegistryError, RegistryClient, type RegistryClientOptions } from '../registry/index.js';
import type { CacheBackend, CacheBlob } from './backend.js';

/** Blobs uploaded at once, as `push` does. */
const UPLOAD_CONCURRENCY = 3;

/**
 * A cache stored as a manifest under a registry tag. Credentials come from the Docker config
 * (`tsbuild login`), as for pulls and pushes.
 */
export function registryBackend(ref: string, client: Omit<RegistryClientOptions, 'host'>): CacheBackend {
  const parsed = parseReference(ref);
  const registry = new RegistryClient({ ...client, host: parsed.domain });
  const repo = parsed.path;
  const tagOrDigest = parsed.digest ?? parsed.tag!;
  return {
    name: `registry ${formatReference(parsed)}`,
    async readManifest() {
      try {
        return (await registry.getManifest(repo, tagOrDigest, { accept: [MEDIA_TYPES.ociManifest] })).bytes;
      } catch (err) {
        if (isRegistryError(err, 'not-found')) return null;
        throw err;
      }
    },
    openBlob(descriptor: Descriptor): Promise<Readable> {
      return registry.getBlob(repo, descriptor.digest, { size: descriptor.size });
    },
    async write(manifest: Buffer, blobs: readonly CacheBlob[]) {
      const limit = pLimit(UPLOAD_CONCURRENCY);
      await Promise.all(blobs.map((blob) => limit(() => registry.pushBlob(repo, blob))));
      await registry.putManifest(repo, tagOrDigest, manifest, MEDIA_TYPES.ociManifest);
    },
  };
}
