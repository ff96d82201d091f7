// Walks a context directory one level per call, so that a directory .dockerignore
// excludes is never read unless a `!` exception could re-include something inside it.
// The walk is synchronous, one native call per level of the tree (readdir + lstat of every
// entry, two threads, see scan-dir.ts): a stat-only walk is dominated by per-call overhead,
// and that of Node's fs (a JS call, a stats object and a dozen BigInts per file) cost four
// times the syscalls.
import type { ParentMatch, PatternMatcher } from '../match/index.js';
import { scanDirs } from './scan-dir.js';
import type { SourceEntry } from './source-fs.js';

export interface WalkOptions {
  root: string;
  matcher: PatternMatcher;
}

/** What a walk found: the included entries, and excluded dirs it still had to read. */
export interface WalkResult {
  /** Excluded directories that were descended into; some become parents of re-included entries. */
  excludedDirs: SourceEntry[];
  /** The included entries of each directory read ('.' the root), sorted by name. */
  listings: Map<string, SourceEntry[]>;
  /** The stamp of each directory's raw listing (see ScannedDir). */
  dirStamps: Map<string, string>;
}

/** Lists every included entry under `root` (the root itself excluded), a level at a time. */
export function walkContext({ root, matcher }: WalkOptions): WalkResult {
  const excludedDirs: SourceEntry[] = [];
  const listings = new Map<string, SourceEntry[]>();
  const dirStamps = new Map<string, string>();
  // Every directory of a level in one native call, which shares them between two threads.
  let level: { dir: string; parent: ParentMatch | null }[] = [{ dir: '.', parent: null }];
  while (level.length > 0) {
    const scans = scanDirs(
      level.map(({ dir }) => (dir === '.' ? root : `${root}/${dir}`)),
      level.map(({ dir }) => (dir === '.' ? '' : `${dir}/`)),
    );
    const next: typeof level = [];
    for (let k = 0; k < level.length; k++) {
      const { dir, parent } = level[k]!;
      const scanned = scans[k]!;
      // Null when the directory was deleted since it was listed: it is not part of the context.
      if (scanned === null) continue;
      dirStamps.set(dir, scanned.stamp());
      const listing: SourceEntry[] = [];
      listings.set(dir, listing);
      const { paths } = scanned;
      for (let i = 0; i < paths.length; i++) {
        const rel = paths[i]!;
        const entry = scanned.entryAt(i);
        const verdict = matcher.matchesWithParent(rel, parent);
        if (!verdict.matched) listing.push(entry);
        // An excluded dir is still read when an exception may re-include a child: the
        // child's own verdict decides, and the context adds its parents back.
        if (entry.type === 'dir' && (!verdict.matched || matcher.mayReincludeUnder(rel))) {
          if (verdict.matched) excludedDirs.push(entry);
          next.push({ dir: rel, parent: verdict.info });
        }
      }
    }
    level = next;
  }
  return { excludedDirs, listings, dirStamps };
}
