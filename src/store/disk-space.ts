// A full disk. SQLite cannot even open its write-ahead log with 0 bytes free, so every
// command, `rmi` and `prune` included, failed with "SqliteError: disk I/O error" and the
// user could not free space with tsbuild. Two parts: errors caused by a full disk are told
// as such, naming the store; and each store keeps a small reserve file that the commands
// which free space (rmi, prune, fsck) delete first when space is short, and make again after.
import { closeSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { TsbuildError } from '../errors.js';
import { StoreError } from './errors.js';

/** Room for SQLite's log and the bookkeeping of a prune. */
const RESERVE_BYTES = 4 << 20;
const RESERVE_NAME = 'reserve';

function freeBytes(dir: string): number {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Whether `err` comes from the filesystem of `root` being full. */
export function isNoSpace(err: unknown, root: string): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'SQLITE_FULL' || code === 'EDQUOT') return true;
  // SQLite reports a log it cannot grow as a plain I/O error; the free space tells them apart.
  return typeof code === 'string' && /^SQLITE_(IOERR|CANTOPEN)/.test(code) && freeBytes(root) < RESERVE_BYTES;
}

export function noSpaceError(root: string, cause: unknown): StoreError {
  return new StoreError(
    `no space left on device (store at ${root}): free space on that filesystem, e.g. with tsbuild prune or tsbuild rmi, which work even now`,
    { cause },
  );
}

/** Runs `work`, telling a full disk under `root` as such instead of as an internal error. */
export async function reportingNoSpace<T>(root: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof TsbuildError) && isNoSpace(err, root)) throw noSpaceError(root, err);
    throw err;
  }
}

/** Makes the reserve file when it is missing and there is room for it twice over. */
export function ensureReserve(root: string): void {
  const path = join(root, RESERVE_NAME);
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch {
    return; // already there (or the store is read-only: nothing to reserve)
  }
  try {
    if (freeBytes(root) < 2 * RESERVE_BYTES) throw new Error('too little space for the reserve');
    const chunk = Buffer.alloc(1 << 20);
    for (let written = 0; written < RESERVE_BYTES; written += chunk.length) writeSync(fd, chunk);
    closeSync(fd);
  } catch {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}

/** Gives the reserve back to the filesystem when space is short; true when it did. */
export function releaseReserveIfShort(root: string): boolean {
  if (freeBytes(root) >= RESERVE_BYTES) return false;
  const path = join(root, RESERVE_NAME);
  try {
    rmSync(path);
    return true;
  } catch {
    return false;
  }
}
