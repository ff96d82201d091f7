// A store belongs to one id mapping. A rootless tsbuild keeps files under the user's
// subordinate ids and its overlay markers in user.* xattrs; a root tsbuild uses the host's
// ids and trusted.* xattrs. Mixed in one store, each would read the other's layers wrongly,
// so the first opener records its mapping and any other is refused.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { idMapping, inUserNamespace } from '../rootless/index.js';
import { StoreError } from './errors.js';

const FILE = 'idmap';
const HOST = /^uid 0 0 4294967295; gid 0 0 4294967295$/;

export function claimIdMapping(root: string): void {
  // Only root, or root of the user namespace rootless mode makes, writes a store: a plain
  // user's files would carry neither the image's ids nor the mapping recorded here.
  if (process.getuid?.() !== 0) {
    throw new StoreError(
      `a non-root process cannot use the store ${root} directly: the tsbuild command and build() enter a user namespace first (rootless mode)`,
    );
  }
  const mine = idMapping();
  const file = join(root, FILE);
  let recorded: string;
  try {
    recorded = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EACCES') throw refusal(root, 'a root tsbuild or another user', mine);
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // A store from before this file: a rootless process sees a store of the host's root as
    // owned by the overflow id, never by its own 0.
    if (inUserNamespace() && statSync(root).uid !== 0) throw refusal(root, 'a root tsbuild or another user', mine);
    try {
      writeFileSync(file, `${mine}\n`, { flag: 'wx', mode: 0o644 });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      recorded = readFileSync(file, 'utf8').trim();
    }
  }
  if (recorded === mine) return;
  throw refusal(root, describe(recorded), mine);
}

function describe(mapping: string): string {
  if (HOST.test(mapping)) return 'a root tsbuild';
  const uid = /^uid 0 (\d+) 1\b/.exec(mapping)?.[1];
  return uid === undefined ? `a tsbuild with other ids (${mapping})` : `the rootless tsbuild of uid ${uid} (ids ${mapping})`;
}

function refusal(root: string, owner: string, mine: string): StoreError {
  const self = HOST.test(mine) ? 'a root tsbuild' : 'this rootless tsbuild';
  return new StoreError(
    `the store ${root} belongs to ${owner}, and ${self} cannot share it (files and overlay markers are kept differently): use a store of your own with --root DIR or TSBUILD_ROOT (the default is ~/.local/share/tsbuild of the user running tsbuild)`,
  );
}
