// A build context: a directory filtered by .dockerignore, indexed once so that lookups,
// listings and hashing never touch excluded files.
import { lstatSync, type BigIntStats } from 'node:fs';
import { resolve } from 'node:path';
import { loadIgnoreFile } from './dockerignore-file.js';
import { goClean, PatternMatcher } from '../match/index.js';
import { compareNames, toEntryStat, type SourceEntry, type SourceFs } from './source-fs.js';
import { MemoryStatCache, type StatCache } from './stat-cache.js';
import { walkContext, type WalkResult } from './walk.js';
import { ContextError } from './errors.js';
import { sha256Hex } from '../fs/index.js';

export interface OpenContextOptions {
  /** The context directory. */
  dir: string;
  /**
   * Path of the Dockerfile (absolute, or relative to the current directory), or '-' when
   * it comes from stdin. Selects `<Dockerfile>.dockerignore`. The Dockerfile and the ignore
   * file are read from disk, so .dockerignore may exclude them from the context (BuildKit
   * sends the Dockerfile apart from the context too).
   */
  dockerfile?: string;
  /** Digest cache; an in-memory one when omitted. */
  statCache?: StatCache;
}

/** The build context after .dockerignore, as the hasher and the copier see it. */
export interface BuildContext extends SourceFs {
  /** Absolute path of the context directory. */
  readonly root: string;
  readonly statCache: StatCache;
  /** The .dockerignore patterns in effect (for `COPY` lint hints and cache keys). */
  readonly ignorePatterns: readonly string[];
  /** Whether the (cleaned, relative) path was sent: not excluded, or a parent of something kept. */
  isIncluded(relPath: string): boolean;
  /** Every included entry, sorted by path; the root itself is not listed. */
  list(): readonly SourceEntry[];
  /** Removes what the context owns on disk (the extracted temp dir of a tar context). */
  dispose(): Promise<void>;
}

/** Walks `dir`, applies the ignore file and returns the indexed context. */
export async function openContext(opts: OpenContextOptions): Promise<BuildContext> {
  const root = resolve(opts.dir);
  const rootStat = lstatOrNull(root);
  if (rootStat === null || !rootStat.isDirectory()) {
    throw new ContextError(`build context ${JSON.stringify(opts.dir)} is not a directory: pass an existing directory or '-' for a tar on stdin`);
  }
  const dockerfile = opts.dockerfile === undefined || opts.dockerfile === '-' ? null : resolve(opts.dockerfile);
  const ignore = await loadIgnoreFile(root, dockerfile);
  let matcher: PatternMatcher;
  try {
    matcher = new PatternMatcher(ignore.patterns);
  } catch (err) {
    throw new ContextError(`invalid pattern in ${ignore.file}: ${(err as Error).message}; fix or remove that line`, { cause: err });
  }
  let walked: WalkResult;
  try {
    walked = walkContext({ root, matcher });
  } catch (err) {
    if (err instanceof ContextError) throw err;
    throw new ContextError(`cannot read build context ${root}: ${(err as Error).message}`, { cause: err });
  }
  const rootEntry: SourceEntry = { rel: '.', type: 'dir', stat: toEntryStat(rootStat) };
  return indexContext({ root, ...walked, rootEntry, statCache: opts.statCache ?? new MemoryStatCache(), ignorePatterns: ignore.patterns });
}

export interface IndexInput extends WalkResult {
  root: string;
  rootEntry: SourceEntry;
  statCache: StatCache;
  ignorePatterns: readonly string[];
  dispose?: () => Promise<void>;
}

/** Builds the lookup structures of a context from a walk. */
export function indexContext(input: IndexInput): BuildContext {
  // Each directory's listing as the walk made it: the included entries, sorted.
  const children = new Map<string, SourceEntry[]>(input.listings);
  // Every included entry by path, made on first use: hashing and copying a whole directory
  // (a no-op `COPY . …`) only need the listings.
  let byPath: Map<string, SourceEntry> | null = null;
  const paths = (): Map<string, SourceEntry> => {
    if (byPath !== null) return byPath;
    byPath = new Map();
    for (const listing of input.listings.values()) for (const e of listing) byPath.set(e.rel, e);
    return byPath;
  };
  if (input.excludedDirs.length > 0) addExcludedParents(input, paths(), children);
  // The .dockerignore rules choose what a listing shows, so they are part of its stamp.
  const rules = sha256Hex(JSON.stringify(input.ignorePatterns));
  // Sorted on first use: hashing and copying only need the per-directory lists.
  let sorted: SourceEntry[] | null = null;
  return {
    root: input.root,
    confined: true,
    statCache: input.statCache,
    ignorePatterns: input.ignorePatterns,
    isIncluded: (relPath) => {
      const rel = goClean(relPath.replace(/^\/+/, ''));
      return rel === '.' || paths().has(rel);
    },
    list: () => (sorted ??= [...paths().values()].sort((a, b) => compareNames(a.rel, b.rel))),
    entry: async (rel) => (goClean(rel) === '.' ? input.rootEntry : (paths().get(goClean(rel)) ?? null)),
    children: async (rel) => children.get(goClean(rel)) ?? [],
    dirStamp: (rel) => {
      const raw = input.dirStamps.get(goClean(rel));
      return raw === undefined ? undefined : `${rules}:${raw}`;
    },
    dispose: input.dispose ?? (async () => {}),
  };
}

/** A re-included file keeps its excluded parent directories (Docker sends them too). */
function addExcludedParents(input: IndexInput, byPath: Map<string, SourceEntry>, children: Map<string, SourceEntry[]>): void {
  const excluded = new Map<string, SourceEntry>(input.excludedDirs.map((e) => [e.rel, e]));
  const addedBack: SourceEntry[] = [];
  for (const listing of input.listings.values()) {
    for (const e of listing) {
      for (let dir = parentRel(e.rel); dir !== '.' && !byPath.has(dir); dir = parentRel(dir)) {
        const parent = excluded.get(dir);
        if (parent === undefined) continue;
        byPath.set(dir, parent);
        addedBack.push(parent);
      }
    }
  }
  for (const e of addedBack) {
    const dir = parentRel(e.rel);
    const siblings = [...(children.get(dir) ?? []), e].sort((a, b) => compareNames(baseName(a.rel), baseName(b.rel)));
    children.set(dir, siblings);
  }
}

function lstatOrNull(path: string): BigIntStats | null {
  try {
    return lstatSync(path, { bigint: true });
  } catch {
    return null;
  }
}

/** Parent of a clean relative path ('.' at the top); walk paths are already clean. */
function parentRel(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '.' : rel.slice(0, i);
}

function baseName(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}
