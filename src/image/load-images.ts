// `tsbuild load`: images from a docker-archive or an OCI layout (tar, gzipped tar or
// directory) into the store. Every digest the archive states is checked, and layers go
// through applyLayer's safe extraction, so a hostile archive is refused, naming the entry.
import type { Readable } from 'node:stream';
import type { Store } from '../store/index.js';
import { ArchiveError, openArchive, type ArchiveReader } from './archive-reader.js';
import { parseDockerManifest } from './docker-archive.js';
import { imageNameOf, layoutBlobPath, parseOciIndex } from './oci-layout.js';
import { MEDIA_TYPES, type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest } from './oci-types.js';
import { hostPlatform } from '../platform.js';
import { normalizeTagName } from './reference.js';
import { countBytes, shortDigest, type TransferListener } from './transfer-progress.js';
import { sha256 } from '../store/index.js';

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

async function readVerified(reader: ArchiveReader, digest: string): Promise<Buffer> {
  const data = await reader.readFile(layoutBlobPath(digest));
  if (sha256(data) !== digest) throw new ArchiveError(`archive blob ${digest} does not match its digest`);
  return data;
}

/** Docker names configs `<id>.json` or `blobs/sha256/<id>`: the name is the digest, so check it. */
async function readDockerConfig(reader: ArchiveReader, path: string): Promise<Buffer> {
  const data = await reader.readFile(path);
  const hex = /([0-9a-f]{64})(?:\.json)?$/.exec(path)?.[1];
  if (hex !== undefined && sha256(data) !== `sha256:${hex}`) throw new ArchiveError(`config "${path}" does not match its digest`);
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
  const data = await readVerified(reader, entry.digest);
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

async function ociCandidates(reader: ArchiveReader): Promise<Candidate[]> {
  const index = parseOciIndex(await reader.readFile('index.json'));
  const byManifest = new Map<string, Candidate>();
  for (const entry of index.manifests) {
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
      config: await readVerified(reader, manifest.config.digest),
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
      tar: countBytes(reader.open(layer.path), (current) => onProgress({ id, status: 'Loading layer', current, ...(layer.size !== undefined ? { total: layer.size } : {}) })),
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

/** Loads every image of an archive; returns their IDs and the names now pointing at them. */
export async function loadImages(store: Store, input: string | Readable, onProgress: TransferListener = () => {}): Promise<LoadedImage[]> {
  return store.withLease(async () => {
    const reader = await openArchive(input, store.makeTempDir());
    try {
      let candidates: Candidate[];
      if (reader.has('manifest.json')) candidates = await dockerCandidates(reader);
      else if (reader.has('index.json')) candidates = await ociCandidates(reader);
      else throw new ArchiveError(`${typeof input === 'string' ? input : 'the input'} is neither a docker-archive (manifest.json) nor an OCI layout (index.json)`);
      const loaded: LoadedImage[] = [];
      for (const candidate of candidates) loaded.push(await loadCandidate(store, reader, candidate, onProgress));
      return loaded;
    } finally {
      await reader.close();
    }
  });
}
