// `tsbuild load`: images from a docker-archive or an OCI layout (tar, gzipped tar or
// directory) into the store. Every digest the archive states is checked, and layers go
// through applyLayer's safe extraction, so a hostile archive is refused, naming the entry.
import { Transform, type Readable } from 'node:stream';
import type { Store } from '../store/index.js';
import {
  ArchiveError,
  openArchive,
  type ArchiveReader,
  parseDockerManifest,
  imageNameOf,
  layoutBlobPath,
  parseOciIndex,
  MEDIA_TYPES,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  normalizeTagName,
  countBytes,
  shortDigest,
  type TransferListener,
} from '../image/index.js';
import { hostPlatform } from '../platform.js';
import { sha256Digest } from '../fs/index.js';

export interface LoadedImage {
  id: string;
  /** Full normalized names now pointing at the image. */
  tags: string[];
}

/** Layer types applyLayer reads (plain or gzip tars); zstd and foreign layers are refused up front. */
const LAYER_MEDIA_TYPES = new Set<string>([MEDIA_TYPES.ociLayer, MEDIA_TYPES.ociLayerGzip, MEDIA_TYPES.dockerLayer, MEDIA_TYPES.dockerLayerGzip]);

interface Candidate {
  config: Buffer;
  /** Paths of the layer tars inside the archive, base first, with the digest each must have. */
  layers: { path: string; digest?: string; size?: number }[];
  names: string[];
}

function sizeMismatch(digest: string, actual: number, stated: number): ArchiveError {
  return new ArchiveError(`archive blob ${digest} is ${actual} bytes but its descriptor says ${stated}`);
}

/** A blob named by an OCI descriptor: both its digest and its size must match. */
async function readVerified(reader: ArchiveReader, desc: { digest: string; size?: unknown }): Promise<Buffer> {
  const data = await reader.readFile(layoutBlobPath(desc.digest));
  if (sha256Digest(data) !== desc.digest) throw new ArchiveError(`archive blob ${desc.digest} does not match its digest`);
  if (data.length !== desc.size) throw sizeMismatch(desc.digest, data.length, Number(desc.size));
  return data;
}

/** Passes a layer through, failing when it does not have the size its descriptor states. */
function sizeChecked(stream: Readable, digest: string, size: number): Readable {
  let seen = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      done(seen > size ? sizeMismatch(digest, seen, size) : null, chunk);
    },
    flush(done) {
      done(seen === size ? null : sizeMismatch(digest, seen, size));
    },
  });
  stream.on('error', (err) => check.destroy(err));
  return stream.pipe(check);
}

/** Docker names configs `<id>.json` or `blobs/sha256/<id>`: the name is the digest, so check it. */
async function readDockerConfig(reader: ArchiveReader, path: string): Promise<Buffer> {
  const data = await reader.readFile(path);
  const hex = /([0-9a-f]{64})(?:\.json)?$/.exec(path)?.[1];
  if (hex !== undefined && sha256Digest(data) !== `sha256:${hex}`) throw new ArchiveError(`config "${path}" does not match its digest`);
  return data;
}

async function dockerCandidates(reader: ArchiveReader): Promise<Candidate[]> {
  const images = parseDockerManifest(await reader.readFile('manifest.json'));
  return Promise.all(
    images.map(async (img) => ({
      config: await readDockerConfig(reader, img.configPath),
      layers: img.layerPaths.map((path) => ({ path })),
      names: img.names,
    })),
  );
}

/** Follows nested indexes to the manifest for this machine's platform. */
async function manifestFor(reader: ArchiveReader, entry: Descriptor): Promise<ImageManifest> {
  const data = await readVerified(reader, entry);
  const parsed = JSON.parse(data.toString('utf8')) as Partial<ImageManifest & ImageIndex>;
  if (Array.isArray(parsed.manifests)) {
    const host = hostPlatform();
    const index = parseOciIndex(data, `index ${entry.digest}`);
    const match =
      index.manifests.find((m) => m.platform?.os === host.os && m.platform.architecture === host.architecture) ??
      (index.manifests.length === 1 ? index.manifests[0] : undefined);
    if (!match) throw new ArchiveError(`index ${entry.digest} has no image for ${host.os}/${host.architecture}`);
    return manifestFor(reader, match);
  }
  if (!parsed.config || !Array.isArray(parsed.layers)) throw new ArchiveError(`manifest ${entry.digest} has no config or layers`);
  return parsed as ImageManifest;
}

/** The platform manifests of an entry that is a multi-platform index; [] for anything else. */
async function platformManifests(reader: ArchiveReader, entry: Descriptor): Promise<Descriptor[]> {
  if (entry.mediaType !== MEDIA_TYPES.ociIndex && entry.mediaType !== MEDIA_TYPES.dockerManifestList) return [];
  const index = parseOciIndex(await readVerified(reader, entry), `index ${entry.digest}`);
  const members = index.manifests.filter((m) => m.platform && m.platform.os !== 'unknown' && !Array.isArray((m as { manifests?: unknown }).manifests));
  return members.length > 1 ? members : [];
}

async function ociCandidates(reader: ArchiveReader): Promise<Candidate[]> {
  const index = parseOciIndex(await reader.readFile('index.json'));
  const byManifest = new Map<string, Candidate>();
  // A multi-platform index loads every platform's image; its names are set by nameIndexes.
  const entries = (
    await Promise.all(
      index.manifests.map(async (e) => {
        const members = await platformManifests(reader, e);
        return members.length > 0 ? members.map((m) => ({ ...m, annotations: {} })) : [e];
      }),
    )
  ).flat();
  for (const entry of entries) {
    const name = imageNameOf(entry);
    const known = byManifest.get(entry.digest);
    if (known) {
      if (name !== undefined) known.names.push(name);
      continue;
    }
    const manifest = await manifestFor(reader, entry);
    for (const layer of manifest.layers) {
      if (!LAYER_MEDIA_TYPES.has(layer.mediaType)) {
        throw new ArchiveError(`layer ${layer.digest} has unsupported media type ${layer.mediaType}`);
      }
    }
    byManifest.set(entry.digest, {
      config: await readVerified(reader, manifest.config),
      layers: manifest.layers.map((l) => ({ path: layoutBlobPath(l.digest), digest: l.digest, size: l.size })),
      names: name === undefined ? [] : [name],
    });
  }
  return [...byManifest.values()];
}

async function loadCandidate(store: Store, reader: ArchiveReader, candidate: Candidate, onProgress: TransferListener): Promise<LoadedImage> {
  const config = JSON.parse(candidate.config.toString('utf8')) as Partial<ImageConfig>;
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== candidate.layers.length) {
    throw new ArchiveError(`image config lists ${diffIds.length} layers but the archive gives ${candidate.layers.length}`);
  }
  let parent: string | null = null;
  const chainIds: string[] = [];
  for (const [i, layer] of candidate.layers.entries()) {
    // A layer the store has already is not read again (applyLayerToSnapshot checks the diff ID first).
    const id = shortDigest(layer.digest ?? diffIds[i]!);
    const info = await store.applyLayerToSnapshot({
      parent,
      tar: countBytes(
        layer.digest !== undefined && layer.size !== undefined ? sizeChecked(reader.open(layer.path), layer.digest, layer.size) : reader.open(layer.path),
        (current) => onProgress({ id, status: 'Loading layer', current, ...(layer.size !== undefined ? { total: layer.size } : {}) }),
      ),
      expectedDiffId: diffIds[i]!,
      ...(layer.digest !== undefined ? { expectedDigest: layer.digest } : {}),
    });
    onProgress({ id, status: 'Loaded' });
    chainIds.push(info.chainId);
    parent = info.chainId;
  }
  const { id } = await store.putImage({ config: candidate.config, layers: chainIds });
  const tags = candidate.names.map((name) => store.tag(normalizeTagName(name), id));
  return { id, tags };
}

/**
 * A name on a multi-platform index (what `save` and `build --platform A,B` write) holds every
 * platform's image, as before it was saved.
 */
async function nameIndexes(store: Store, reader: ArchiveReader, loaded: LoadedImage[]): Promise<void> {
  for (const entry of parseOciIndex(await reader.readFile('index.json')).manifests) {
    const name = imageNameOf(entry);
    const members = name === undefined ? [] : await platformManifests(reader, entry);
    if (name === undefined || members.length === 0) continue;
    const ids: string[] = [];
    for (const member of members) ids.push((await manifestFor(reader, member)).config.digest);
    if (!ids.every((id) => store.resolveImage(id))) continue;
    const tag = store.tagPlatforms(normalizeTagName(name), ids);
    for (const image of loaded) {
      if (ids.includes(image.id) && !image.tags.includes(tag)) image.tags.push(tag);
    }
  }
}

/** Loads every image of an archive; returns their IDs and the names now pointing at them. */
export async function loadImages(store: Store, input: string | Readable, onProgress: TransferListener = () => {}): Promise<LoadedImage[]> {
  return store.withLease(async () => {
    const reader = await openArchive(input, store.makeTempDir());
    try {
      let candidates: Candidate[];
      if (reader.has('manifest.json')) candidates = await dockerCandidates(reader);
      else if (reader.has('index.json')) candidates = await ociCandidates(reader);
      else
        throw new ArchiveError(
          `${typeof input === 'string' ? input : 'the input'} is neither a docker-archive (manifest.json) nor an OCI layout (index.json)`,
        );
      const loaded: LoadedImage[] = [];
      for (const candidate of candidates) loaded.push(await loadCandidate(store, reader, candidate, onProgress));
      if (reader.has('index.json')) await nameIndexes(store, reader, loaded);
      return loaded;
    } finally {
      await reader.close();
    }
  });
}
