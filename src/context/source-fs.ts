// The read-only view the hasher and the copier walk: the build context (already filtered
// by .dockerignore) or the root filesystem of another stage. Paths are slash-separated and
// relative to the root ('.' is the root itself).
import type { BigIntStats } from 'node:fs';
import { encodeName, lstatSync, readdirNamesSync } from '../byte-names.js';
import { join } from 'node:path';

/** What the hasher and copier need from an lstat; nanosecond times and inode are exact. */
export interface EntryStat {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: bigint;
}

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

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
}

export function entryType(st: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

export function toEntryStat(st: BigIntStats): EntryStat {
  return {
    mode: Number(st.mode),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: Number(st.size),
    mtimeNs: st.mtimeNs,
    ctimeNs: st.ctimeNs,
    ino: st.ino,
  };
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
      return { rel, type: entryType(st), stat: toEntryStat(st) };
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
      const names = readdirNamesSync(join(root, rel)).sort(compareNames);
      const out: SourceEntry[] = [];
      for (const n of names) {
        const e = entrySync(joinRel(rel, n));
        if (e !== null) out.push(e);
      }
      return out;
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
