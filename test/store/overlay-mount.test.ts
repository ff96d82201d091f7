import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempStore, type TempStore } from '../helpers/temp-store.js';

function canMountOverlay(): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting overlayfs needs root';
  if (!readFileSync('/proc/filesystems', 'utf8').includes('overlay')) return 'the kernel has no overlayfs';
  return undefined;
}
const cannot = canMountOverlay();
if (cannot) console.warn(`skipping overlay mount tests: ${cannot}`);

describe.skipIf(cannot)('snapshots as overlay lowerdirs', () => {
  let t: TempStore;
  let mnt: string;
  beforeEach(() => {
    t = makeTempStore();
    mnt = join(t.work, 'mnt');
    mkdirSync(mnt, { recursive: true });
  });
  afterEach(() => {
    spawnSync('umount', [mnt]);
    t.dispose();
  });

  /** Mounts read-only the way the executor does: cwd = store root, lowerdirs relative to it. */
  const mount = (lowers: string[]): void => {
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${lowers.join(':')}`, mnt], { cwd: t.root });
  };

  it('stacks layers with whiteouts so deleted files disappear', async () => {
    const baseDir = t.store.makeTempDir();
    writeFileSync(join(baseDir, 'kept'), 'kept');
    writeFileSync(join(baseDir, 'deleted'), 'deleted');
    const base = await t.store.commitSnapshot({ parent: null, dir: baseDir });
    const topDir = t.store.makeTempDir();
    execFileSync('mknod', [join(topDir, 'deleted'), 'c', '0', '0']);
    writeFileSync(join(topDir, 'added'), 'added');
    const top = await t.store.commitSnapshot({ parent: base.chainId, dir: topDir });
    mount(t.store.lowerdirs(top.chainId));
    expect(readdirSync(mnt).sort()).toEqual(['added', 'kept']);
  });

  it('fits 150 layers in one mount option', async () => {
    let parent: string | null = null;
    for (let i = 0; i < 150; i++) {
      const dir = t.store.makeTempDir();
      writeFileSync(join(dir, `file-${i}`), String(i));
      parent = (await t.store.commitSnapshot({ parent, dir, sourceDateEpoch: 0 })).chainId;
    }
    const lowers = t.store.lowerdirs(parent!);
    expect(lowers).toHaveLength(150);
    mount(lowers);
    expect(readdirSync(mnt)).toHaveLength(150);
    expect(existsSync(join(mnt, 'file-0'))).toBe(true);
  });
});
