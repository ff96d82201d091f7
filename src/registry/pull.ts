import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pLimit from 'p-limit';
import {
  MEDIA_TYPES,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  formatReference,
  parseReference,
  type ImageReference,
  countBytes,
  shortDigest,
  type TransferListener,
} from '../image/index.js';
import { hostPlatform, type Platform } from '../platform.js';
import { chainIdsOf, type Store } from '../store/index.js';
import { RegistryClient, type RegistryClientOptions } from './client.js';
import { RegistryError } from './errors.js';
import { selectPlatform } from '../platform-match.js';

export interface PullOptions {
  /** Platform to pick from a multi-platform image; default: the host's. */
  platform?: Platform;
  /** Credentials, insecure registries, retries; the host comes from the reference. */
  client?: Omit<RegistryClientOptions, 'host'>;
  /** Layers downloaded at once. Default 3, as docker. */
  concurrency?: number;
  /** Add the image to the name next to its other platforms' images instead of replacing them (a build's base). */
  addToName?: boolean;
  /** Per-layer progress: Already exists, Downloading (bytes), Download complete, Pull complete. */
  onProgress?: TransferListener;
}

const IMAGE_MANIFEST_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest]);
/** Image configs are a few KiB; refuse to buffer something that is plainly not one. */
const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

/**
 * A digest-pinned image we pulled before, found offline: pulls keep the registry's manifest
 * (and index) as blobs, so the digest leads to the config digest, which is the image ID.
 */
async function findPinned(store: Store, digest: string, platform: Platform): Promise<string | undefined> {
  if (!store.hasBlob(digest)) return undefined;
  const doc = JSON.parse((await store.readBlob(digest)).toString('utf8')) as Partial<ImageManifest & ImageIndex>;
  if (doc.manifests) {
    const chosen = selectPlatform(doc.manifests, platform);
    return chosen && findPinned(store, chosen.digest, platform);
  }
  const id = doc.config?.digest;
  return id && (await store.resolveImage(id))?.id;
}

async function fetchConfig(client: RegistryClient, repo: string, desc: Descriptor): Promise<Buffer> {
  if (desc.size > MAX_CONFIG_BYTES) {
    throw new RegistryError('protocol', `image config ${desc.digest} is ${desc.size} bytes; refusing more than ${MAX_CONFIG_BYTES}`);
  }
  const parts: Buffer[] = [];
  for await (const part of await client.getBlob(repo, desc.digest, { size: desc.size })) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/**
 * Downloads the layers the store lacks in parallel, each to a temp file verified against its
 * descriptor as it streams, and applies them in order as soon as each one and its parent are
 * ready. The registry's blobs are kept as the layers' gzip variants, so pushing an image built
 * on this one sends back the very blobs the registry already has.
 */
interface LayerPull {
  store: Store;
  client: RegistryClient;
  repo: string;
  layers: readonly Descriptor[];
  /** From the config, base first; one per layer. */
  diffIds: readonly string[];
  concurrency: number;
  onProgress: TransferListener;
}

async function pullLayers({ store, client, repo, layers, diffIds, concurrency, onProgress }: LayerPull): Promise<string[]> {
  const chainIds = chainIdsOf(diffIds);
  const missing = chainIds.map((id) => store.getLayer(id) === undefined);
  layers.forEach((desc, i) => onProgress({ id: shortDigest(desc.digest), status: missing[i] ? 'Waiting' : 'Already exists' }));
  const tmp = store.makeTempDir();
  const limit = pLimit(concurrency);
  const downloads = layers.map((desc, i) =>
    missing[i]
      ? limit(async () => {
          const file = join(tmp, String(i));
          const id = shortDigest(desc.digest);
          const body = await client.getBlob(repo, desc.digest, { size: desc.size });
          const counted = countBytes(body, (current) => onProgress({ id, status: 'Downloading', current, total: desc.size }));
          await pipeline(counted, createWriteStream(file));
          onProgress({ id, status: 'Download complete' });
          return file;
        })
      : Promise.resolve(undefined),
  );
  // Failures are seen when the loop reaches that layer; until then, keep Node from calling them unhandled.
  for (const d of downloads) d.catch(() => {});
  try {
    for (const [i, desc] of layers.entries()) {
      const file = await downloads[i];
      if (file === undefined) continue;
      await store.applyLayerToSnapshot({
        parent: i === 0 ? null : chainIds[i - 1]!,
        tar: createReadStream(file),
        expectedDigest: desc.digest,
        expectedDiffId: diffIds[i]!,
        keepBlob: true,
      });
      onProgress({ id: shortDigest(desc.digest), status: 'Pull complete' });
      await rm(file, { force: true });
    }
  } finally {
    await Promise.allSettled(downloads); // no download may still be writing into tmp when it goes
    await rm(tmp, { recursive: true, force: true });
  }
  return chainIds;
}

/**
 * Pulls an image into the store and returns its ID (the config digest). A tag ref is tagged
 * in the store under its full name; a digest ref already pulled is answered from the store
 * without touching the network.
 */
export async function pullImage(store: Store, ref: string, opts: PullOptions = {}): Promise<string> {
  const parsed: ImageReference = parseReference(ref);
  const platform = opts.platform ?? hostPlatform();
  return store.withLease(async () => {
    if (parsed.digest !== undefined) {
      const local = await findPinned(store, parsed.digest, platform);
      if (local) return local;
    }
    const client = new RegistryClient({ ...opts.client, host: parsed.domain });
    const repo = parsed.path;
    const manifest = await client.resolveManifest(repo, parsed.digest ?? parsed.tag!, { platform });
    // Kept so that this digest, or the index's, resolves offline next time (see findPinned).
    for (const doc of [manifest.index, manifest]) if (doc) await store.writeBlob(doc.bytes, { mediaType: doc.mediaType });
    if (!IMAGE_MANIFEST_TYPES.has(manifest.mediaType)) {
      throw new RegistryError('protocol', `${formatReference(parsed)}: unsupported manifest type ${manifest.mediaType}`);
    }
    const { config: configDesc, layers } = JSON.parse(manifest.bytes.toString('utf8')) as ImageManifest;
    let id = (await store.resolveImage(configDesc.digest))?.id;
    if (!id) {
      const configBytes = await fetchConfig(client, repo, configDesc);
      const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
      const diffIds = config.rootfs?.diff_ids ?? [];
      if (diffIds.length !== layers.length) {
        const counts = `the config lists ${diffIds.length} layers, the manifest ${layers.length}`;
        throw new RegistryError('protocol', `${formatReference(parsed)}: ${counts}`);
      }
      const chainIds = await pullLayers({
        store,
        client,
        repo,
        layers,
        diffIds,
        concurrency: opts.concurrency ?? 3,
        onProgress: opts.onProgress ?? (() => {}),
      });
      id = (await store.putImage({ config: configBytes, layers: chainIds })).id;
    }
    if (parsed.digest === undefined) {
      if (opts.addToName) store.addPlatform(formatReference(parsed), id);
      else store.tag(formatReference(parsed), id);
    }
    return id;
  });
}
