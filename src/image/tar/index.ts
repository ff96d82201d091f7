export { encodeTarHeader, END_OF_ARCHIVE } from './encode.js';
export { readTar } from './reader.js';
export type { TarEntry } from './reader.js';
export { TarFormatError, padding } from './types.js';
export type { TarEntryType, TarHeader, TarTime } from './types.js';
