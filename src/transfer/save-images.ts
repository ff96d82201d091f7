// Writes images from the store into one archive. The layout is OCI (oci-layout, index.json,
// blobs/sha256); the docker format adds manifest.json and repositories so `docker load` and
// skopeo's docker-archive transport read the same file.
import { formatPlatform } from '../platform.js';
import type { ResolvedImage, Store } from '../store/index.js';
import { ImageNotFoundError } from '../store/index.js';
import {
  openArchiveWriter,
  imageIndexBytes,
  type IndexMember,
  dockerManifestJson,
  repositoriesJson,
  type DockerArchiveImage,
  MEDIA_TYPES,
  type Descriptor,
  indexEntry,
  layoutBlobPath,
  OCI_LAYOUT_FILE,
  ociIndexJson,
  normalizeTagName,
  countBytes,
  shortDigest,
  type TransferListener,
} from '../image/index.js';

export type ArchiveFormat = 'docker' | 'oci';

/**
 * An image to write and the names to record for it in the archive (none: unnamed). With
 * `platforms` (image IDs, one per platform, `id` among them) the names go on an OCI index of them.
 */
export interface ArchiveImage {
  id: string;
  tags: readonly string[];
  platforms?: readonly string[];
}

export interface ExportArchiveOptions {
  images: readonly ArchiveImage[];
  /** Per-layer progress: Writing layer (bytes), Written. */
  onProgress?: TransferListener;
  /** A tar file, or a directory when it exists or ends with `/`. */
  dest: string;
}

export interface SaveImagesOptions {
  /** Names or IDs; a name is recorded in the archive, an ID saves the image unnamed. */
  refs: readonly string[];
  /** A tar file, or a directory when it exists or ends with `/`. */
  output: string;
  format: ArchiveFormat;
  onProgress?: TransferListener;
}

/** A docker-archive (also an OCI layout): what `docker save` writes and `docker load` reads. */
export function saveDockerArchive(store: Store, opts: ExportArchiveOptions): Promise<void> {
  return writeArchive(store, opts, 'docker');
}

/** An OCI image layout, as a tar (oci-archive) or a directory. */
export function saveOciArchive(store: Store, opts: ExportArchiveOptions): Promise<void> {
  return writeArchive(store, opts, 'oci');
}

/** `tsbuild save`: names given are kept in the archive; IDs give unnamed entries. */
export function saveImages(store: Store, opts: SaveImagesOptions): Promise<void> {
  const byId = new Map<string, string[]>();
  const indexes: ArchiveImage[] = [];
  for (const ref of opts.refs) {
    const image = store.resolveImage(ref);
    if (!image) throw new ImageNotFoundError(ref);
    const name = nameGiven(ref, image.tags);
    const members = name === undefined ? [] : store.imagesOfName(name);
    if (name !== undefined && members.length > 1) {
      indexes.push({ id: image.id, tags: [name], platforms: members.map((m) => m.image.id) });
      continue;
    }
    const names = byId.get(image.id) ?? [];
    if (name !== undefined && !names.includes(name)) names.push(name);
    byId.set(image.id, names);
  }
  const images = [...[...byId].map(([id, tags]) => ({ id, tags })), ...indexes];
  return writeArchive(store, { images, dest: opts.output, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) }, opts.format);
}

function platformOf(image: ResolvedImage): string {
  const { os, architecture, variant } = image.config;
  return formatPlatform({ os, architecture, ...(variant ? { variant } : {}) });
}

function nameGiven(ref: string, tags: readonly string[]): string | undefined {
  try {
    const name = normalizeTagName(ref);
    return tags.includes(name) ? name : undefined;
  } catch {
    return undefined;
  }
}

async function writeArchive(store: Store, opts: ExportArchiveOptions, format: ArchiveFormat): Promise<void> {
  await store.withLease(async () => {
    const writer = openArchiveWriter(opts.dest);
    try {
      await writer.addFile('oci-layout', OCI_LAYOUT_FILE);
      const written = new Set<string>();
      const index: Descriptor[] = [];
      const docker: (DockerArchiveImage & { id: string })[] = [];
      // Blobs are content-addressed: one written for an earlier image (a shared layer, or a
      // member of two indexes) is not written again.
      const addBlob = async (digest: string, bytes: Buffer): Promise<void> => {
        if (written.has(digest)) return;
        await writer.addFile(layoutBlobPath(digest), bytes);
        written.add(digest);
      };
      const addImage = async (id: string): Promise<{ image: ResolvedImage; descriptor: Descriptor }> => {
        const image = store.resolveImage(id);
        if (!image) throw new ImageNotFoundError(id);
        const manifest = await store.readBlob(image.manifestDigest);
        await addBlob(image.id, await store.readBlob(image.id));
        await addBlob(image.manifestDigest, manifest);
        for (const chainId of image.chainIds) {
          const layer = store.layerTar(chainId);
          if (written.has(layer.descriptor.digest)) continue;
          const progressId = shortDigest(layer.descriptor.digest);
          const total = layer.descriptor.size;
          const stream = countBytes(layer.stream(), (current) => opts.onProgress?.({ id: progressId, status: 'Writing layer', current, total }));
          await writer.addStream(layoutBlobPath(layer.descriptor.digest), total, stream);
          opts.onProgress?.({ id: progressId, status: 'Written' });
          written.add(layer.descriptor.digest);
        }
        return { image, descriptor: { mediaType: MEDIA_TYPES.ociManifest, digest: image.manifestDigest, size: manifest.length } };
      };
      for (const { id, tags, platforms } of opts.images) {
        const names = tags.map(normalizeTagName);
        let descriptor: Descriptor;
        if (platforms) {
          const members: IndexMember[] = [];
          for (const memberId of platforms) {
            const { image, descriptor: manifest } = await addImage(memberId);
            members.push({ platform: platformOf(image), manifest });
            // docker load takes one image per name: this machine's platform gets the names.
            const layerPaths = image.manifest.layers.map((l) => layoutBlobPath(l.digest));
            docker.push({ id: image.id, configPath: layoutBlobPath(image.id), layerPaths, names: image.id === id ? names : [] });
          }
          const built = imageIndexBytes(members);
          await addBlob(built.descriptor.digest, built.bytes);
          descriptor = built.descriptor;
        } else {
          const { image, descriptor: manifest } = await addImage(id);
          descriptor = manifest;
          const layerPaths = image.manifest.layers.map((l) => layoutBlobPath(l.digest));
          docker.push({ id: image.id, configPath: layoutBlobPath(image.id), layerPaths, names });
        }
        if (names.length === 0) index.push(indexEntry(descriptor));
        for (const name of names) index.push(indexEntry(descriptor, name));
      }
      await writer.addFile('index.json', ociIndexJson(index));
      if (format === 'docker') {
        await writer.addFile('manifest.json', dockerManifestJson(docker));
        await writer.addFile('repositories', repositoriesJson(docker));
      }
      await writer.finish();
    } catch (err) {
      await writer.abort();
      throw err;
    }
  });
}
