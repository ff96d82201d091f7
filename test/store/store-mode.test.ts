import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importRootfs } from '../../src/transfer/import-rootfs.js';
import { openStore } from '../../src/store/index.js';

const isRoot = process.getuid?.() === 0;

/**
 * Runs argv as uid/gid 65534 (nobody) with no supplementary groups, through a shell: a binary
 * that setpriv (util-linux 2.38) executes itself ran even from inside a 0700 root directory.
 */
function asNobody(argv: string[]): { status: number | null; output: string } {
  const args = ['--reuid', '65534', '--regid', '65534', '--clear-groups', '--', 'sh', '-c', '"$@"', 'sh', ...argv];
  const out = spawnSync('setpriv', args, { encoding: 'utf8' });
  return { status: out.status, output: out.stdout + out.stderr };
}

describe.skipIf(!isRoot)('store mode', () => {
  let base: string;
  beforeEach(() => {
    // World-traversable, like a store under ./cache in a project directory.
    base = mkdtempSync(join(tmpdir(), 'tsbuild-store-mode-'));
    chmodSync(base, 0o755);
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  it('keeps a loaded setuid-root binary out of reach of other users', async () => {
    const rootfs = join(base, 'rootfs');
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    copyFileSync('/bin/cat', join(rootfs, 'bin', 'suid-cat'));
    chmodSync(join(rootfs, 'bin', 'suid-cat'), 0o4755);
    const root = join(base, 'store');
    const store = openStore(root);
    try {
      await importRootfs(store, { source: rootfs, tags: ['suid:latest'], created: new Date(0) });
    } finally {
      store.close();
    }
    const found = execFileSync('find', [root, '-name', 'suid-cat', '-perm', '-4000'], { encoding: 'utf8' }).trim().split('\n');
    expect(found.length).toBeGreaterThan(0);
    expect(statSync(root).mode & 0o777).toBe(0o700);
    for (const path of found) {
      const run = asNobody([path, '/etc/hostname']);
      expect(run.status).not.toBe(0);
      expect(run.output).toContain('Permission denied');
    }
    // The same binary outside the store is reachable: the refusal comes from the store's mode.
    expect(asNobody([join(rootfs, 'bin', 'suid-cat'), '/etc/hostname']).status).toBe(0);
  });

  it('closes an existing store that others could enter', () => {
    const root = join(base, 'old-store');
    openStore(root).close();
    chmodSync(root, 0o755);
    expect(asNobody(['ls', root]).status).toBe(0);
    openStore(root).close();
    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(asNobody(['ls', root]).output).toContain('Permission denied');
    expect(readdirSync(root)).toContain('meta.db');
  });

  it('tells another user who cannot close an open store how to close it', () => {
    const root = join(base, 'shared-store');
    openStore(root).close();
    chmodSync(root, 0o755);
    // As nobody, in this process: seteuid leaves root's way back open.
    process.seteuid!(65534);
    try {
      expect(() => openStore(root)).toThrow(`the store at ${root} is open to other users (mode 755); its owner must close it: chmod 700 ${root}`);
    } finally {
      process.seteuid!(0);
    }
    expect(statSync(root).mode & 0o777).toBe(0o755);
  });
});
