import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import pLimit from 'p-limit';
import {
  MEDIA_TYPES,
  type Descriptor,
  type Digest,
  type ImageManifest,
  formatReference,
  parseReference,
  imageIndexBytes,
  type IndexMember,
  countBytes,
  shortDigest,
  type TransferListener,
} from '../image/index.js';
import { ImageNotFoundError, type ResolvedImage, type Store } from '../store/index.js';
import { sha256Digest } from '../fs/index.js';
import { RegistryClient, type RegistryClientOptions } from './client.js';
import type { PushBlobResult } from './upload.js';

export interface PushOptions {
  /** Credentials, insecure registries, retries; the host comes from the reference. */
  client?: Omit<RegistryClientOptions, 'host'>;
  /** Layers compressed and uploaded at once. Default 3. */
  concurrency?: number;
  /**
   * A repository on the same registry that may hold some of the layers (the base image's):
   * those are mounted from it instead of uploaded.
   */
  mountFrom?: string;
  /** Per-layer progress: Preparing, Pushing (bytes), Pushed, Layer already exists, Mounted. */
  onProgress?: TransferListener;
}

export interface PushResult {
  /** Digest of the manifest as stored in the registry. */
  digest: Digest;
  /** Full name pushed, e.g. `127.0.0.1:5000/team/app:v1`. */
  name: string;
  /** What happened to each blob, config first, then layers base first. */
  blobs: { digest: Digest; result: PushBlobResult }[];
}

/**
 * Pushes a stored image to `ref`'s registry: layers as gzip blobs (made once by the store
 * and remembered, so a pulled base layer goes back as the registry's own blob), then the
 * config, and the manifest last so the tag never names an image with missing blobs.
 * Blobs the repository has are skipped after a HEAD. A name holding several platforms goes
 * up as an OCI index: each platform's manifest by digest, then the index under the tag.
 */
export async function pushImage(store: Store, nameOrId: string, ref: string, opts: PushOptions = {}): Promise<PushResult> {
  const target = parseReference(ref);
  return store.withLease(async () => {
    const image = await store.resolveImage(nameOrId);
    if (!image) throw new ImageNotFoundError(nameOrId);
    const client = new RegistryClient({ ...opts.client, host: target.domain });
    const repo = target.path;
    const tagOrDigest = target.tag ?? target.digest!;
    const platforms = store.imagesOfName(nameOrId);
    if (platforms.length < 2) {
      const pushed = await pushManifest(store, client, repo, image, tagOrDigest, opts);
      return { digest: pushed.descriptor.digest, name: formatReference(target), blobs: pushed.blobs };
    }
    const members: IndexMember[] = [];
    const blobs: PushResult['blobs'] = [];
    for (const member of platforms) {
      const pushed = await pushManifest(store, client, repo, member.image, null, opts);
      members.push({ platform: member.platform, manifest: pushed.descriptor });
      blobs.push(...pushed.blobs);
    }
    const index = imageIndexBytes(members);
    const digest = await client.putManifest(repo, tagOrDigest, index.bytes, MEDIA_TYPES.ociIndex);
    return { digest, name: formatReference(target), blobs };
  });
}

/** One image's blobs and manifest; `tagOrDigest` null puts the manifest under its own digest. */
async function pushManifest(
  store: Store,
  client: RegistryClient,
  repo: string,
  image: ResolvedImage,
  tagOrDigest: string | null,
  opts: PushOptions,
): Promise<{ descriptor: Descriptor; blobs: PushResult['blobs'] }> {
  const limit = pLimit(opts.concurrency ?? 3);
  const layers = await Promise.all(
    image.chainIds.map((chainId) =>
      limit(async () => {
        const blob = await store.layerBlob(chainId, { compression: 'gzip' });
        const id = shortDigest(blob.digest);
        const report = opts.onProgress ?? (() => {});
        const open = (): Readable => countBytes(createReadStream(blob.path), (current) => report({ id, status: 'Pushing', current, total: blob.size }));
        const source = { digest: blob.digest, size: blob.size, open };
        const result = await client.pushBlob(repo, source, opts.mountFrom ? { mountFrom: opts.mountFrom } : {});
        report({ id, status: result === 'exists' ? 'Layer already exists' : result === 'mounted' ? 'Mounted' : 'Pushed' });
        return { descriptor: { mediaType: blob.mediaType, digest: blob.digest, size: blob.size } satisfies Descriptor, result };
      }),
    ),
  );
  // The stored config bytes are pushed as they are: their digest is the image ID.
  const configBytes = await store.readBlob(image.id);
  const config = { digest: image.id, size: configBytes.length, open: () => Readable.from([configBytes]) };
  const configResult = await client.pushBlob(repo, config);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: MEDIA_TYPES.ociConfig, digest: image.id, size: configBytes.length },
    layers: layers.map((l) => l.descriptor),
    ...(image.manifest.annotations ? { annotations: image.manifest.annotations } : {}),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = await client.putManifest(repo, tagOrDigest ?? sha256Digest(bytes), bytes, MEDIA_TYPES.ociManifest);
  return {
    descriptor: { mediaType: MEDIA_TYPES.ociManifest, digest, size: bytes.length },
    blobs: [{ digest: image.id, result: configResult }, ...layers.map((l) => ({ digest: l.descriptor.digest, result: l.result }))],
  };
}
