import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { SetupTraces } from './init-status.js';

/**
 * Takes the sandbox's own traces out of the upper dir, so it holds only the command's
 * changes: mount points the setup created (kept when the command put files next to them, as
 * in a created /run), and directories copied up only to hold them, unless the command changed
 * them. Runs after the sandbox is gone, on the plain upper dir; never follows symlinks.
 */
export async function removeSetupTraces(upperdir: string, traces: SetupTraces): Promise<void> {
  const deepestFirst = (a: string, b: string): number => b.split('/').length - a.split('/').length;
  for (const path of [...new Set(traces.created)].sort(deepestFirst)) {
    const full = join(upperdir, path);
    const info = await lstat(full).catch(() => undefined);
    if (info?.isDirectory()) await rmdir(full).catch(ignoreNotEmpty);
    else if (info?.isFile() && info.size === 0) await unlink(full);
  }
  const copyups = new Map(traces.copyups.map((c) => [c.path, c]));
  for (const path of [...copyups.keys()].sort(deepestFirst)) {
    const before = copyups.get(path)!;
    const full = join(upperdir, path);
    const info = await lstat(full).catch(() => undefined);
    const unchanged = info?.isDirectory() && (info.mode & 0o7777) === before.mode && info.uid === before.uid && info.gid === before.gid;
    if (unchanged && (await readdir(full)).length === 0) await rmdir(full);
  }
}

function ignoreNotEmpty(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
}
