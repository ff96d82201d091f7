// Walks a context directory one level per call, so that a directory .dockerignore
// excludes is never read unless a `!` exception could re-include something inside it.
// The walk is synchronous, one native call per directory (readdir + lstat of every entry,
// see scan-dir.ts): a stat-only walk is dominated by per-call overhead, and that of Node's
// fs (a JS call, a stats object and a dozen BigInts per file) cost four times the syscalls.
import type { ParentMatch, PatternMatcher } from '../match/index.js';
import { scanDir } from './scan-dir.js';
import { compareNames, joinRel, typeOfMode, type SourceEntry } from './source-fs.js';

export interface WalkOptions {
  root: string;
  matcher: PatternMatcher;
}

/** What a walk found: the included entries, and excluded dirs it still had to read. */
export interface WalkResult {
  /** Each directory's included entries together, sorted by name. */
  included: SourceEntry[];
  /** Excluded directories that were descended into; some become parents of re-included entries. */
  excludedDirs: SourceEntry[];
  /** Each directory read ('.' the root), by the stamp of its raw listing (see ScannedDir). */
  dirStamps: Map<string, string>;
}

/** Lists every included entry under `root` (the root itself excluded), a directory at a time. */
export function walkContext({ root, matcher }: WalkOptions): WalkResult {
  const included: SourceEntry[] = [];
  const excludedDirs: SourceEntry[] = [];
  const dirStamps = new Map<string, string>();
  const queue: { dir: string; parent: ParentMatch | null }[] = [{ dir: '.', parent: null }];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    // Null when the directory was deleted since it was listed: it is not part of the context.
    const scanned = scanDir(next.dir === '.' ? root : `${root}/${next.dir}`);
    if (scanned === null) continue;
    dirStamps.set(next.dir, scanned.stamp());
    const { names } = scanned;
    const order = names.map((_, i) => i).sort((a, b) => compareNames(names[a]!, names[b]!));
    for (const i of order) {
      const rel = joinRel(next.dir, names[i]!);
      const stat = scanned.statAt(i);
      const { matched, info } = matcher.matchesWithParent(rel, next.parent);
      const entry: SourceEntry = { rel, type: typeOfMode(stat.mode), stat };
      if (!matched) included.push(entry);
      // An excluded dir is still read when an exception may re-include a child: the
      // child's own verdict decides, and the context adds its parents back.
      if (entry.type === 'dir' && (!matched || matcher.mayReincludeUnder(rel))) {
        if (matched) excludedDirs.push(entry);
        queue.push({ dir: rel, parent: info });
      }
    }
  }
  return { included, excludedDirs, dirStamps };
}
