// The read-only view the hasher and the copier walk: the build context (already filtered
// by .dockerignore) or the root filesystem of another stage. Paths are slash-separated and
// relative to the root ('.' is the root itself).
import { join } from 'node:path';
import { toEntryStat, typeOfMode, type EntryStat, type EntryType } from './entry-stat.js';
import { scanDir } from './scan-dir.js';
import { encodeName, lstatSync } from '../byte-names.js';

export { EntryStat, toEntryStat, typeOfMode } from './entry-stat.js';
export type { EntryType, BigIntStatFields } from './entry-stat.js';

/** One entry, never followed through a symlink. */
export interface SourceEntry {
  /** Path relative to the root, '.' for the root. */
  rel: string;
  type: EntryType;
  stat: EntryStat;
}

/** A tree of entries under `root`. */
export interface SourceFs {
  /** Absolute host path of the root. */
  readonly root: string;
  /**
   * True when symlinks may only resolve inside the root (a build context): one that leads
   * out is an error. False for a stage root, where absolute targets are root-relative.
   */
  readonly confined: boolean;
  /** The entry at `rel` (lstat semantics), or null when absent or excluded. */
  entry(rel: string): Promise<SourceEntry | null>;
  /** The visible children of directory `rel`, sorted by name. */
  children(rel: string): Promise<SourceEntry[]>;
  /**
   * A digest of what directory `rel`'s listing was made from (its entries' names and lstat,
   * and the rules that chose the visible ones), or undefined when not known. Equal stamps
   * mean equal children with equal stats: the hasher keys its directory cache on it.
   */
  dirStamp?(rel: string): string | undefined;
}

export function joinRel(dir: string, name: string): string {
  return dir === '.' ? name : `${dir}/${name}`;
}

/**
 * A plain directory seen as a stage root: everything is visible, symlinks are chroot-relative.
 * Lookups are synchronous: a few microseconds each, where a thread-pool round trip costs ~0.1 ms.
 */
export function dirSourceFs(root: string): SourceFs {
  const entrySync = (rel: string): SourceEntry | null => {
    try {
      const st = lstatSync(join(root, rel), { bigint: true });
      const stat = toEntryStat(st);
      return { rel, type: typeOfMode(stat.mode), stat };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw err;
    }
  };
  return {
    root,
    confined: false,
    entry: async (rel) => entrySync(rel),
    async children(rel) {
      // One that vanished since it was listed has nothing in it, as in the context walk.
      const scanned = scanDir(join(root, rel), rel === '.' ? '' : `${rel}/`);
      if (scanned === null) return [];
      return scanned.paths.map((_, i) => scanned.entryAt(i));
    },
  };
}

/**
 * Byte order of the names, so digests and copies do not depend on the locale. JS string
 * order (UTF-16 code units) agrees with it below U+D800, which covers nearly every path;
 * only names with higher characters (or bytes that are not UTF-8) pay for an encoding.
 */
export function compareNames(a: string, b: string): number {
  if (HIGH.test(a) || HIGH.test(b)) return Buffer.compare(encodeName(a), encodeName(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

const HIGH = /[\uD800-\uFFFF]/;
