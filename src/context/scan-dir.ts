// One directory's entries with their lstat, from a single call into the C addon
// (native/addon: readdir + fstatat). A walk of 10,000 files through Node's fs costs one JS
// call, a stats object and a dozen BigInts per file; this costs two allocations per
// directory and the syscalls. Names stay byte-exact: see byte-names.ts.
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { decodeName, fsPath } from '../byte-names.js';
import { native } from '../native.js';
import { EntryStat, STAT_FIELDS } from './entry-stat.js';

/** A directory listing sorted by name bytes (compareNames' order): `names[i]` has its lstat at `statAt(i)`. */
export interface ScannedDir {
  names: string[];
  statAt(i: number): EntryStat;
  /** A digest of the raw listing (names and lstat fields): equal only when nothing in it changed. */
  stamp(): string;
}

/** Lists `dir` (lstat semantics for each entry), or null when it does not exist (any more). */
export function scanDir(dir: string): ScannedDir | null {
  const scanned = native.scanDir(fsPath(dir));
  if (scanned === null) return null;
  const [bytes, nums] = scanned;
  return {
    names: splitNames(bytes),
    statAt: (i) => new EntryStat(nums, i * STAT_FIELDS),
    stamp: () =>
      createHash('sha256')
        .update(bytes)
        .update(new Uint8Array(nums.buffer, nums.byteOffset, nums.byteLength))
        .digest('base64'),
  };
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
