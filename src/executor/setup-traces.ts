import { lstatSync, readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { SetupTraces } from './init-status.js';

/**
 * Takes the sandbox's own traces out of the upper dir, so it holds only the command's
 * changes: mount points the setup created (kept when the command put files next to them, as
 * in a created /run), and directories copied up only to hold them, unless the command changed
 * them. Runs after the sandbox is gone, on the plain upper dir; never follows symlinks.
 * Synchronous: a handful of syscalls of microseconds each.
 */
export function removeSetupTraces(upperdir: string, traces: SetupTraces): void {
  const deepestFirst = (a: string, b: string): number => b.split('/').length - a.split('/').length;
  for (const path of [...new Set(traces.created)].sort(deepestFirst)) {
    const full = join(upperdir, path);
    const info = lstatSync(full, { throwIfNoEntry: false });
    if (info?.isDirectory()) rmdirIfEmpty(full);
    else if (info?.isFile() && info.size === 0) unlinkSync(full);
  }
  const copyups = new Map(traces.copyups.map((c) => [c.path, c]));
  for (const path of [...copyups.keys()].sort(deepestFirst)) {
    const before = copyups.get(path)!;
    const full = join(upperdir, path);
    const info = lstatSync(full, { throwIfNoEntry: false });
    const unchanged = info?.isDirectory() && (info.mode & 0o7777) === before.mode && info.uid === before.uid && info.gid === before.gid;
    if (unchanged && readdirSync(full).length === 0) rmdirSync(full);
  }
}

function rmdirIfEmpty(path: string): void {
  try {
    rmdirSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
}
