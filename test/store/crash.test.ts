import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxMissing, busyboxRootfsDir } from '../helpers/busybox-rootfs.js';
import { makeTempStore, type TempStore } from '../helpers/temp-store.js';
import { spawnCli, waitExit } from './cli.js';

const missing = busyboxMissing();

/** Resolves once `dir` holds an entry whose name starts with `prefix`, the mark of work under way. */
async function waitForEntry(dir: string, prefix: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(dir) && readdirSync(dir).some((n) => n.startsWith(prefix))) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no ${prefix}* appeared in ${dir}`);
}

async function expectConsistent(t: TempStore): Promise<void> {
  const fsck = await t.store.fsck();
  expect(fsck.problems).toEqual([]);
  // Every image left is whole: its blobs and layers resolve.
  for (const img of t.store.listImages()) {
    const full = await t.store.resolveImage(img.id);
    for (const chainId of full!.chainIds) expect(t.store.lowerdirs(chainId).length).toBeGreaterThan(0);
  }
}

describe.skipIf(missing)('concurrent processes and crashes', () => {
  let t: TempStore;
  let bigTar: string;

  beforeAll(() => {
    t = makeTempStore();
    mkdirSync(t.work, { recursive: true });
    // Busybox plus 64 MiB of noise, so an import lasts long enough to be killed half way.
    const dir = busyboxRootfsDir(join(t.work, 'big-rootfs'));
    writeFileSync(join(dir, 'noise.bin'), randomBytes(64 * 1024 * 1024));
    bigTar = join(t.work, 'big.tar');
    execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', dir, '-cf', bigTar, '.']);
  });
  afterAll(() => t.dispose());

  it('lets two processes import the same image at once, keeping one copy', async () => {
    const env = { SOURCE_DATE_EPOCH: '0' };
    const runs = [spawnCli(t.root, 'import', [bigTar, '-t', 'big'], env), spawnCli(t.root, 'import', [bigTar, '-t', 'big'], env)];
    const [a, b] = await Promise.all(runs.map(waitExit));
    expect(a!.stderr + b!.stderr).toBe('');
    expect([a!.status, b!.status]).toEqual([0, 0]);
    expect(a!.stdout).toBe(b!.stdout);
    expect(t.store.listImages()).toHaveLength(1);
    expect(readdirSync(join(t.root, 'snapshots'))).toHaveLength(1);
    expect(t.store.diskUsage()).toMatchObject({ layers: { count: 1 }, blobs: { count: 2 } });
    await expectConsistent(t);
  });

  it('lets prune run in another process while an import is under way', async () => {
    const importing = waitExit(spawnCli(t.root, 'import', [bigTar, '-t', 'during-prune'], { SOURCE_DATE_EPOCH: '2' }));
    let done = false;
    void importing.then(() => (done = true));
    while (!done) {
      const pruned = await waitExit(spawnCli(t.root, 'prune', ['--all']));
      expect(pruned.status).toBe(0);
    }
    expect((await importing).status).toBe(0);
    expect(t.store.resolveImage('during-prune')).not.toBeNull();
    await expectConsistent(t);
  });

  it('leaves a consistent store when an import is killed mid way', async () => {
    // Import under a new name and epoch so this is new work, not a hit on the first test's layer.
    const child = spawnCli(t.root, 'import', [bigTar, '-t', 'killed'], { SOURCE_DATE_EPOCH: '1' });
    const exited = waitExit(child);
    await waitForEntry(join(t.root, 'tmp'), `${child.pid}-`);
    child.kill('SIGKILL');
    expect((await exited).status).toBeNull();
    expect(await t.store.resolveImage('killed')).toBeNull();
    await expectConsistent(t);
    expect(readdirSync(join(t.root, 'tmp'))).toEqual([]);
  });

  it('leaves no archive and a consistent store when a save is killed mid way', async () => {
    const out = join(t.work, 'killed-save.tar');
    const child = spawnCli(t.root, 'save', ['-o', out, 'big']);
    const exited = waitExit(child);
    await waitForEntry(t.work, `.${child.pid}-`);
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(out)).toBe(false);
    await expectConsistent(t);
  });

  it('stays consistent whenever an import is killed', async () => {
    for (const delay of [400, 900, 1400, 1900, 2400]) {
      const child = spawnCli(t.root, 'import', [bigTar, '-t', `timed-${delay}`], { SOURCE_DATE_EPOCH: String(delay) });
      const exited = waitExit(child);
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await exited;
      await expectConsistent(t);
    }
  });
});
