// The build context stage: walk + .dockerignore + content checksums with a stat cache.
export { openContext } from './build-context.js';
export type { BuildContext, OpenContextOptions } from './build-context.js';
export { contextFromTarStream, readDockerfileStream } from './lazy.js';
export type { TarContextOptions } from './tar-context.js';
export { ContextError } from './errors.js';
export { PatternMatcher } from './pattern-matcher.js';
export type { ParentMatch } from './pattern-matcher.js';
export { parseDockerignore, loadIgnoreFile } from './dockerignore-file.js';
export type { IgnoreFile } from './dockerignore-file.js';
export { goMatch, hasGoMeta, BadPatternError } from './go-filepath-match.js';
export { TreeHasher, emptyDigest } from './checksum.js';
export type { HashOptions, TreeFilter } from './checksum.js';
export { MemoryStatCache } from './stat-cache.js';
export type { StatCache, StatKey } from './stat-cache.js';
export { dirSourceFs } from './source-fs.js';
export type { SourceFs, SourceEntry, EntryStat, EntryType } from './source-fs.js';
export { extractTarSafely, openTar } from './lazy.js';
