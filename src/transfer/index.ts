// Images in and out of the store: docker/OCI archive load and save, rootfs import,
// and layer tars applied into snapshots. Above both src/image/ (formats) and
// src/store/ (storage), so neither of those imports the other's internals.
export { importRootfs } from './import-rootfs.js';
export { loadImages } from './load-images.js';
export type { LoadedImage } from './load-images.js';
export { saveDockerArchive, saveImages, saveOciArchive } from './save-images.js';
export type { ArchiveFormat } from './save-images.js';
