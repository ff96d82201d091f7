// The build context: walk the directory, apply .dockerignore, index what is sent,
// and hash it (Merkle checksums with a stat cache); also a context from a tar on stdin.
// Pattern matching itself lives in src/match/.
export { openContext } from './build-context.js';
export type { BuildContext, OpenContextOptions } from './build-context.js';
export { contextFromTarStream, readDockerfileStream } from './lazy.js';
export type { TarContextOptions } from './tar-context.js';
export { ContextError } from './errors.js';
export { PatternMatcher } from '../match/index.js';
export type { ParentMatch } from '../match/index.js';
export { parseDockerignore, loadIgnoreFile } from './dockerignore-file.js';
export type { IgnoreFile } from './dockerignore-file.js';
export { goMatch, hasGoMeta, BadPatternError } from '../match/index.js';
export { TreeHasher, emptyDigest } from './checksum.js';
export type { HashOptions, TreeFilter } from './checksum.js';
export { copyStat, MemoryStatCache, sameStat } from './stat-cache.js';
export type { StatCache, StatKey } from './stat-cache.js';
export { dirSourceFs, EntryStat, toEntryStat } from './source-fs.js';
export type { SourceFs, SourceEntry, EntryType } from './source-fs.js';
export { extractTarSafely, openTar } from './lazy.js';
export { childFilter, exclusionStep } from './checksum.js';
export { joinRel } from './source-fs.js';
export { excludedUnder } from './excluded.js';
