// BuildKit-style content checksums. A file's digest covers its type, mode, owner, size,
// symlink target and content — never its times — so a touched but unchanged file keeps its
// digest. A directory's digest is a Merkle digest over its own header and its sorted
// children (name + digest), so renaming, adding or removing anything below changes it.
import { createHash } from 'node:crypto';
import { sha256Digest } from '../fs/index.js';
import { fsPath, readlinkName } from '../byte-names.js';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import pLimit, { type LimitFunction } from 'p-limit';
import type { ParentMatch, PatternMatcher } from '../match/index.js';
import type { SourceEntry, SourceFs } from './source-fs.js';
import type { StatCache } from './stat-cache.js';
import { native } from '../native.js';
import { availableParallelism } from 'node:os';

/** Options shared by every digest of one hashing pass. */
export interface HashOptions {
  /** Reuses digests of files whose stat is unchanged; keyed by path relative to the root. */
  statCache?: StatCache;
  /** Opens file contents on this thread instead of the addon's thread-pool reads; tests count reads through it. */
  openFile?: (path: string) => Readable;
  /** Files hashed at once. */
  concurrency?: number;
}

/** `--exclude` patterns applied below a copied entry, relative to that entry. */
export interface TreeFilter {
  matcher: PatternMatcher;
  /** Path of the entry itself relative to where the patterns apply ('' when it is the base). */
  base: string;
}

/** Computes digests for one pass, reading each file at most once. */
export class TreeHasher {
  private readonly limit: LimitFunction;
  private readonly open: ((path: string) => Readable) | null;
  private readonly statCache: StatCache | undefined;

  constructor(
    private readonly fs: SourceFs,
    opts: HashOptions = {},
  ) {
    this.limit = pLimit(opts.concurrency ?? 2 * availableParallelism());
    this.open = opts.openFile ?? null;
    this.statCache = opts.statCache;
  }

  /** Digest of the entry at `rel` (not following it if it is a symlink), or of nothing kept. */
  async digest(rel: string, filter: TreeFilter | null = null): Promise<string> {
    const entry = await this.fs.entry(rel);
    if (entry === null) throw new Error(`no such entry: ${rel}`);
    const result = await this.entryDigest(entry, filter, null);
    return result ?? emptyDigest();
  }

  /** Persists stat-cache records made during this pass. */
  flush(): void {
    this.statCache?.flush();
  }

  /**
   * The digest, or null when the filter excludes the entry and everything below it.
   * Cached files resolve synchronously: a warm pass over 10,000 files must not pay for
   * 10,000 promise round trips.
   */
  private entryDigest(entry: SourceEntry, filter: TreeFilter | null, parent: ParentMatch | null): string | null | Promise<string | null> {
    const { excluded, prune, info } = exclusionStep(filter, parent);
    if (entry.type !== 'dir') {
      if (excluded) return null;
      return (entry.type === 'file' ? this.statCache?.lookup(entry.rel, entry.stat) : undefined) ?? this.leafDigest(entry);
    }
    if (prune) return null;
    return this.dirDigest(entry, filter, info, excluded);
  }

  private async dirDigest(entry: SourceEntry, filter: TreeFilter | null, info: ParentMatch | null, excluded: boolean): Promise<string | null> {
    const children = await this.fs.children(entry.rel);
    const stamp = filter === null && this.statCache !== undefined ? this.fs.dirStamp?.(entry.rel) : undefined;
    if (stamp === undefined) {
      const names = children.map(nameOf);
      const pending = children.map((child, i) => this.entryDigest(child, childFilter(filter, names[i]!), info));
      return listDigest(entry, names, await settle(pending), excluded);
    }
    // Unfiltered and fingerprinted: the subdirectories' digests first, then this directory's
    // from the cache when its listing and theirs are unchanged (no work per file).
    const subdirs: SourceEntry[] = [];
    for (const child of children) if (child.type === 'dir') subdirs.push(child);
    const subdirDigests = await settle(subdirs.map((child) => this.dirDigest(child, null, null, false)));
    let body = `${stamp}\0${header(entry, '')}`;
    for (let i = 0; i < subdirs.length; i++) body += `${nameOf(subdirs[i]!)}\0${subdirDigests[i]!}\n`;
    const fingerprint = sha256Digest(fsPath(body));
    const cached = this.statCache!.lookupDir(entry.rel, fingerprint);
    if (cached !== undefined) return cached;
    let next = 0;
    const pending = children.map((child) => (child.type === 'dir' ? subdirDigests[next++]! : this.entryDigest(child, null, null)));
    const digest = listDigest(entry, children.map(nameOf), await settle(pending), false)!;
    this.statCache!.recordDir(entry.rel, fingerprint, digest);
    return digest;
  }

  private async leafDigest(entry: SourceEntry): Promise<string> {
    const abs = join(this.fs.root, entry.rel);
    if (entry.type === 'symlink') {
      const target = await readlinkName(abs);
      return (
        'sha256:' +
        createHash('sha256')
          .update(fsPath(header(entry, target)))
          .digest('hex')
      );
    }
    if (entry.type !== 'file') return sha256Digest(header(entry, ''));
    const prefix = header(entry, '');
    const open = this.open;
    // Read and hashed in C on the libuv pool (so on every core), into one reused buffer per
    // thread: no stream, Buffer or worker message per file. The prefix is ASCII, so its bytes
    // are what hashing the string gave.
    const digest = await this.limit(() => (open !== null ? hashStream(open(abs), prefix) : native.hashFile(fsPath(abs), Buffer.from(prefix, 'latin1'))));
    this.statCache?.record(entry.rel, entry.stat, digest);
    return digest;
  }
}

function nameOf(entry: SourceEntry): string {
  return entry.rel.slice(entry.rel.lastIndexOf('/') + 1);
}

/** The values, awaited only when one is a promise: a cached child costs no promise round trip. */
async function settle<T>(values: (T | Promise<T>)[]): Promise<T[]> {
  return values.some((v) => v instanceof Promise) ? Promise.all(values) : (values as T[]);
}

/** A directory's digest from its children's (null: excluded), or null when nothing of an excluded one is kept. */
function listDigest(entry: SourceEntry, names: string[], digests: (string | null)[], excluded: boolean): string | null {
  // One string, one update: the same bytes as an update per piece (every piece ends in
  // ASCII, so UTF-8 encoding the whole equals encoding the parts), at a fraction of the calls.
  let body = header(entry, '');
  let kept = 0;
  for (let i = 0; i < names.length; i++) {
    const d = digests[i];
    if (d === null) continue;
    kept++;
    body += `${names[i]!}\0${d}\n`;
  }
  // An excluded dir survives only as the parent of something re-included.
  if (excluded && kept === 0) return null;
  // Names are hashed as their bytes: two names that are not UTF-8 must not collide.
  return sha256Digest(fsPath(body));
}

function header(entry: SourceEntry, linkTarget: string): string {
  const { mode, uid, gid, size } = entry.stat;
  const sizePart = entry.type === 'file' ? size : 0;
  return `${entry.type}\0${(mode & 0o7777).toString(8)}\0${uid}:${gid}\0${sizePart}\0${linkTarget}\0`;
}

async function hashStream(stream: Readable, prefix: string): Promise<string> {
  const h = createHash('sha256').update(prefix);
  for await (const chunk of stream) h.update(chunk as Buffer);
  return 'sha256:' + h.digest('hex');
}

/** Digest of an empty selection (a wildcard that matched nothing, a fully excluded tree). */
export function emptyDigest(): string {
  return sha256Digest('empty\0');
}

/** The --exclude verdict for one entry of a filtered walk, shared by the hasher and the copier. */
export interface ExclusionStep {
  /** The entry itself is excluded. */
  excluded: boolean;
  /** Nothing below an excluded directory can be re-included: skip it entirely. */
  prune: boolean;
  /** Per-pattern results to pass to the entry's children. */
  info: ParentMatch | null;
}

export function exclusionStep(filter: TreeFilter | null, parent: ParentMatch | null): ExclusionStep {
  if (filter === null || filter.base === '') return { excluded: false, prune: false, info: null };
  const { matched, info } = filter.matcher.matchesWithParent(filter.base, parent);
  return { excluded: matched, prune: matched && !filter.matcher.mayReincludeUnder(filter.base), info };
}

/** The filter for a child named `name` of an entry filtered by `filter`. */
export function childFilter(filter: TreeFilter | null, name: string): TreeFilter | null {
  if (filter === null) return null;
  return { matcher: filter.matcher, base: filter.base === '' ? name : `${filter.base}/${name}` };
}
