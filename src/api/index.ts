// Store-level functions of the public API (list, inspect, history, tag, remove, save, load,
// import, pull, push, run, check): what the CLI's commands call, and build scripts too.
// Each opens the store it is given, does one thing and closes it; src/api.ts re-exports them.
export { imageHistory, inspectImage, listImages, removeImage, tagImage } from './images.js';
export type { ImageFilters, ImageHistoryEntry, ImageInspect, ImageListEntry, StoreOptions } from './images.js';
export { runImage } from './run.js';
export type { RunOptions } from './run.js';
export { importImage, loadImages, pull, push, saveImages } from './transfer.js';
export type { ArchiveFormat, LoadedImage, PushResult, RegistryOptions, TransferListener, TransferProgress } from './transfer.js';
export { checkBuild } from './check.js';
