// One directory's entries with their lstat, from a single call into the C addon
// (native/addon: readdir + fstatat). A walk of 10,000 files through Node's fs costs one JS
// call, a stats object and a dozen BigInts per file; this costs two allocations per
// directory, one string and one small object per entry, and the syscalls. Names stay
// byte-exact: see byte-names.ts.
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { decodeName, fsPath } from '../byte-names.js';
import { native } from '../native.js';
import { EntryStat, STAT_FIELDS, typeOfMode, type EntryType } from './entry-stat.js';
import type { SourceEntry } from './source-fs.js';

/** A directory listing sorted by name bytes (compareNames' order). */
export interface ScannedDir {
  /** Each entry's path: the prefix the scan was given, then its name. */
  paths: string[];
  /** The entry at `paths[i]`. */
  entryAt(i: number): SourceEntry;
  /** A digest of the raw listing (names and lstat fields): equal only when nothing in it changed. */
  stamp(): string;
}

/** Lists `dir` (lstat semantics for each entry), or null when it does not exist (any more). */
export function scanDir(dir: string, prefix: string): ScannedDir | null {
  return scanDirs([dir], [prefix])[0]!;
}

/** Lists several directories in one call (on two threads), each as `scanDir` would. */
export function scanDirs(dirs: string[], prefixes: string[]): (ScannedDir | null)[] {
  return native.scanDirs(dirs.map(fsPath), prefixes.map(fsPath)).map((scanned) => {
    if (scanned === null) return null;
    const [bytes, table] = scanned;
    const paths = splitNames(bytes);
    return {
      paths,
      entryAt: (i) => new ListedEntry(paths[i]!, typeOfMode(table[i * STAT_FIELDS]!), table, i * STAT_FIELDS),
      stamp: () =>
        createHash('sha256')
          .update(bytes)
          .update(new Uint8Array(table.buffer, table.byteOffset, table.byteLength))
          .digest('base64'),
    };
  });
}

/** An entry of a scan: its stat (a view of the scan's table) is made when read, which a no-op build never does. */
class ListedEntry implements SourceEntry {
  constructor(
    readonly rel: string,
    readonly type: EntryType,
    private readonly table: Float64Array,
    private readonly at: number,
  ) {}

  get stat(): EntryStat {
    return new EntryStat(this.table, this.at);
  }
}

/** NUL-terminated names; all valid UTF-8 (the usual case) decodes in one go. */
function splitNames(bytes: Buffer): string[] {
  if (isUtf8(bytes)) {
    const names = bytes.toString('utf8').split('\0');
    names.pop();
    return names;
  }
  const names: string[] = [];
  for (let start = 0; start < bytes.length;) {
    const end = bytes.indexOf(0, start);
    names.push(decodeName(bytes.subarray(start, end)));
    start = end + 1;
  }
  return names;
}
