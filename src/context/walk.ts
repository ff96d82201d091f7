// Walks a context directory one level per call, so that a directory .dockerignore
// excludes is never read unless a `!` exception could re-include something inside it.
// The walk is synchronous (readdir + lstat): a stat-only walk is dominated by per-call
// overhead, and a synchronous lstat costs a tenth of a thread-pool round trip (10,000
// entries: ~50 ms instead of ~500 ms on a 2-core VM). Bigint stats give exact nanosecond
// times and inodes for the stat cache at no extra syscall.
import type { BigIntStats } from 'node:fs';
import { lstatSync, readdirNamesSync } from '../byte-names.js';
import type { ParentMatch, PatternMatcher } from '../match/index.js';
import { entryType, joinRel, toEntryStat, type SourceEntry } from './source-fs.js';

export interface WalkOptions {
  root: string;
  matcher: PatternMatcher;
}

/** What a walk found: the included entries, and excluded dirs it still had to read. */
export interface WalkResult {
  included: SourceEntry[];
  /** Excluded directories that were descended into; some become parents of re-included entries. */
  excludedDirs: SourceEntry[];
}

function isEnoent(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/** The names in a directory; none when it vanished since it was listed. */
function namesIn(dir: string): string[] {
  try {
    return readdirNamesSync(dir);
  } catch (err) {
    if (isEnoent(err)) return [];
    throw err;
  }
}

/** Lists every included entry under `root` (the root itself excluded), in no particular order. */
export function walkContext({ root, matcher }: WalkOptions): WalkResult {
  const included: SourceEntry[] = [];
  const excludedDirs: SourceEntry[] = [];
  const queue: { dir: string; parent: ParentMatch | null }[] = [{ dir: '.', parent: null }];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    const abs = next.dir === '.' ? root : `${root}/${next.dir}`;
    for (const name of namesIn(abs)) {
      const rel = joinRel(next.dir, name);
      let st: BigIntStats;
      try {
        st = lstatSync(`${abs}/${name}`, { bigint: true });
      } catch (err) {
        // Deleted while the context was being read: it is not part of it.
        if (isEnoent(err)) continue;
        throw err;
      }
      const { matched, info } = matcher.matchesWithParent(rel, next.parent);
      const entry: SourceEntry = { rel, type: entryType(st), stat: toEntryStat(st) };
      if (!matched) included.push(entry);
      // An excluded dir is still read when an exception may re-include a child: the
      // child's own verdict decides, and the context adds its parents back.
      if (entry.type === 'dir' && (!matched || matcher.mayReincludeUnder(rel))) {
        if (matched) excludedDirs.push(entry);
        queue.push({ dir: rel, parent: info });
      }
    }
  }
  return { included, excludedDirs };
}
