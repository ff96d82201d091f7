// OCI types, image references, the deterministic layer tar codec (own ustar+PAX),
// safe layer apply and layer digests. Pure formats: nothing here opens the store;
// moving images in and out of the store is src/transfer/.
export { applyLayer } from './apply-layer.js';
export { ArchiveError, openArchive } from './archive-reader.js';
export type { ArchiveReader } from './archive-reader.js';
export { openArchiveWriter } from './archive-writer.js';
export { dockerManifestJson, parseDockerManifest, repositoriesJson } from './docker-archive.js';
export type { DockerArchiveImage } from './docker-archive.js';
export { imageIndexBytes } from './image-index.js';
export type { IndexMember } from './image-index.js';
export { digestLayerDir } from './layer-digest.js';
export { layerTarStream } from './layer-tar.js';
export { OCI_LAYOUT_FILE, imageNameOf, indexEntry, layoutBlobPath, ociIndexJson, parseOciIndex } from './oci-layout.js';
export { MEDIA_TYPES } from './oci-types.js';
export type { ContainerConfig, Descriptor, Digest, HistoryEntry, ImageConfig, ImageIndex, ImageManifest } from './oci-types.js';
export { InvalidReferenceError, familiarReference, formatReference, normalizeTagName, parseReference } from './reference.js';
export type { ImageReference } from './reference.js';
export { ConfinedRoot, clearTarget, ensureDirectory, writeNewFile } from './safe-path.js';
export type { Placement } from './safe-path.js';
export { readTar } from './tar/index.js';
export type { TarEntry } from './tar/index.js';
export { countBytes, shortDigest } from './transfer-progress.js';
export type { TransferListener, TransferProgress } from './transfer-progress.js';
