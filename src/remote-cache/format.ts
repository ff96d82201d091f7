// The cache format (docs/remote-cache.md): an OCI image manifest whose layers are gzip layer
// blobs and whose config, of our own media type, maps cache keys to chains of those layers.
import { MEDIA_TYPES, type Descriptor, type ImageManifest } from '../image/index.js';
import { sha256Digest } from '../fs/index.js';
import { RemoteCacheError } from './errors.js';

export const CACHE_CONFIG_MEDIA_TYPE = 'application/vnd.tsbuild.cache.config.v1+json';
const FORMAT_VERSION = 1;
/** A config lists keys and indexes only: a few MiB is already hundreds of thousands of records. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** One cached step: its key, and the layers of its snapshot's full chain, bottom first. */
export interface CacheConfigRecord {
  key: string;
  /** Indexes into the manifest's `layers` (and the config's `diffIds`). */
  layers: number[];
  /** When the step first ran (ms since 1970): the image's `created`, kept across machines. */
  created: number;
}

/** The config blob's JSON. */
export interface CacheConfig {
  version: 1;
  /** The uncompressed digest of each manifest layer, in the same order: chain IDs come from these. */
  diffIds: string[];
  /** Sorted by key, so the same cache always encodes to the same bytes. */
  records: CacheConfigRecord[];
}

/** A cache layer: the blob to fetch and what it must unpack to. */
export interface CacheLayer {
  descriptor: Descriptor;
  diffId: string;
}

/** A record with its layers resolved. */
export interface CacheEntry {
  key: string;
  layers: CacheLayer[];
  created: number;
}

/** The manifest and config of a cache, ready to store. */
export interface EncodedCache {
  manifest: Buffer;
  config: Buffer;
  configDescriptor: Descriptor;
}

/** Encodes records whose layers are indexes into `layers` (the gzip blobs, with their diff IDs). */
export function encodeCache(layers: readonly CacheLayer[], records: readonly CacheConfigRecord[]): EncodedCache {
  const document: CacheConfig = {
    version: FORMAT_VERSION,
    diffIds: layers.map((l) => l.diffId),
    records: [...records].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  };
  const config = Buffer.from(JSON.stringify(document));
  const configDescriptor: Descriptor = { mediaType: CACHE_CONFIG_MEDIA_TYPE, digest: sha256Digest(config), size: config.length };
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: configDescriptor,
    layers: layers.map((l) => ({ mediaType: l.descriptor.mediaType, digest: l.descriptor.digest, size: l.descriptor.size })),
  };
  return { manifest: Buffer.from(JSON.stringify(manifest)), config, configDescriptor };
}

/** Parses a manifest and checks it is a tsbuild cache before anything else is fetched. */
export function decodeCacheManifest(bytes: Buffer, where: string): ImageManifest {
  const manifest = parseJson(bytes, `${where}: the manifest`) as Partial<ImageManifest>;
  if (manifest.mediaType !== undefined && manifest.mediaType !== MEDIA_TYPES.ociManifest) {
    throw new RemoteCacheError(`${where} is a ${manifest.mediaType}, not a tsbuild cache manifest`);
  }
  if (manifest.config?.mediaType !== CACHE_CONFIG_MEDIA_TYPE) {
    throw new RemoteCacheError(`${where} is not a tsbuild cache: its config type is ${manifest.config?.mediaType ?? 'missing'}`);
  }
  if (!DIGEST_RE.test(manifest.config.digest) || !Array.isArray(manifest.layers)) {
    throw new RemoteCacheError(`${where}: the manifest has no valid config digest or layers list`);
  }
  for (const layer of manifest.layers) {
    if (!DIGEST_RE.test(layer?.digest) || !Number.isSafeInteger(layer.size)) throw new RemoteCacheError(`${where}: a layer has a bad descriptor`);
  }
  return manifest as ImageManifest;
}

/** Validates the config against its manifest and resolves every record's layers. */
export function decodeCacheConfig(bytes: Buffer, manifest: ImageManifest, where: string): CacheEntry[] {
  const config = parseJson(bytes, `${where}: the cache config`) as Partial<CacheConfig>;
  const bad = (why: string): RemoteCacheError => new RemoteCacheError(`${where}: the cache config ${why}`);
  if (config.version !== FORMAT_VERSION) throw bad(`has version ${String(config.version)}; this tsbuild reads version ${FORMAT_VERSION}`);
  const { diffIds, records } = config;
  if (!Array.isArray(diffIds) || diffIds.length !== manifest.layers.length || !diffIds.every((d) => DIGEST_RE.test(d))) {
    throw bad(`must list one diff ID per manifest layer (${manifest.layers.length})`);
  }
  if (!Array.isArray(records)) throw bad('has no records list');
  const layers = manifest.layers.map((descriptor, i): CacheLayer => ({ descriptor, diffId: diffIds[i]! }));
  return records.map((record) => {
    const inRange = (i: unknown): i is number => Number.isInteger(i) && (i as number) >= 0 && (i as number) < layers.length;
    if (typeof record?.key !== 'string' || !Array.isArray(record.layers) || record.layers.length === 0 || !record.layers.every(inRange)) {
      throw bad(`has a malformed record (${JSON.stringify(record).slice(0, 200)})`);
    }
    const created = Number.isSafeInteger(record.created) ? record.created : 0;
    return { key: record.key, layers: record.layers.map((i) => layers[i]!), created };
  });
}

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (err) {
    throw new RemoteCacheError(`${what} is not valid JSON`, { cause: err });
  }
}
