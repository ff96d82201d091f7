// The tar codec: ustar + PAX headers, a streaming reader and the encoder every
// layer goes through (round-trip tested against GNU tar and Python's tarfile).
// Bytes in, entries out; no filesystem access.
export { encodeTarHeader, END_OF_ARCHIVE } from './encode.js';
export { readTar } from './reader.js';
export type { TarEntry } from './reader.js';
export { TarFormatError, padding } from './types.js';
export type { TarEntryType, TarHeader, TarTime } from './types.js';
