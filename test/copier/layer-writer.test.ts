// The layer writer's fast paths: what it remembers instead of lstat-ing, and large files
// copied on the thread pool, must give the same layer as plain sequential copying.
import { chmodSync, lstatSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyToLayer } from '../../src/copier/index.js';
import { copyRequest, scratchDir, writeTree } from './helpers.js';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('layer writer', () => {
  it('copies large files (thread pool) and small ones with content, mode and times, and dir times set last', async () => {
    const ctx = scratchDir('lw-ctx');
    mkdirSync(join(ctx, 'dir/sub'), { recursive: true });
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    big.write('head');
    for (let i = 0; i < 6; i++) writeFileSync(join(ctx, `dir/big${i}.bin`), big);
    writeFileSync(join(ctx, 'dir/sub/small.txt'), 'small');
    chmodSync(join(ctx, 'dir/big3.bin'), 0o4750);
    chmodSync(join(ctx, 'dir/sub/small.txt'), 0o600);
    for (const p of ['dir/big0.bin', 'dir/big3.bin', 'dir/sub/small.txt', 'dir/sub', 'dir'])
      utimesSync(join(ctx, p), 1_600_000_000, 1_600_000_000 + p.length);
    const req = await copyRequest(ctx, ['dir'], '/out/', { chown: '12:34' });
    await copyToLayer(req);
    const out = join(req.outDir, 'out');
    for (let i = 0; i < 6; i++) expect(readFileSync(join(out, `big${i}.bin`)).equals(big)).toBe(true);
    expect(readFileSync(join(out, 'sub/small.txt'), 'utf8')).toBe('small');
    const b3 = lstatSync(join(out, 'big3.bin'));
    expect([b3.mode & 0o7777, b3.uid, b3.gid]).toEqual([0o4750, 12, 34]);
    expect(lstatSync(join(out, 'sub/small.txt')).mode & 0o7777).toBe(0o600);
    expect(lstatSync(join(out, 'big0.bin')).mtimeMs).toBe((1_600_000_000 + 'dir/big0.bin'.length) * 1000);
    expect(lstatSync(join(out, 'sub')).mtimeMs).toBe((1_600_000_000 + 'dir/sub'.length) * 1000);
  });

  it('replaces a file copied earlier in the same COPY, large or small, and refuses a dir over it', async () => {
    const ctx = writeTree(scratchDir('lw-ctx2'), { 'a/f': 'first', 'b/f': 'second', 'c/f/x': 'nested' });
    writeFileSync(join(ctx, 'a/g'), Buffer.alloc(2 * 1024 * 1024, 1));
    writeFileSync(join(ctx, 'b/g'), 'now small');
    const req = await copyRequest(ctx, ['a', 'b'], '/d/');
    await copyToLayer(req);
    expect(readFileSync(join(req.outDir, 'd/f'), 'utf8')).toBe('second');
    expect(readFileSync(join(req.outDir, 'd/g'), 'utf8')).toBe('now small');
    const clash = await copyRequest(ctx, ['a', 'c'], '/d/');
    await expect(copyToLayer(clash)).rejects.toThrow(/non-directory/);
  });

  it('sees what the parent stage has below a directory it creates, and nothing below one the parent lacks', async () => {
    const parent = writeTree(scratchDir('lw-parent'), { 'etc/keep': 'parent' });
    chmodSync(join(parent, 'etc'), 0o750);
    mkdirSync(join(parent, 'etc/conf.d'));
    const ctx = writeTree(scratchDir('lw-ctx3'), { 'src/conf.d': 'file over a parent dir' });
    // An existing directory of the parent is a directory dest: the file goes inside it.
    const req = await copyRequest(ctx, ['src/conf.d'], '/etc/conf.d', { parentRoot: parent });
    await copyToLayer(req);
    expect(readFileSync(join(req.outDir, 'etc/conf.d/conf.d'), 'utf8')).toBe('file over a parent dir');
    expect(lstatSync(join(req.outDir, 'etc')).mode & 0o7777).toBe(0o750);
    const ok = await copyRequest(ctx, ['src/'], '/new/deep/', { parentRoot: parent });
    await copyToLayer(ok);
    expect(readFileSync(join(ok.outDir, 'new/deep/conf.d'), 'utf8')).toBe('file over a parent dir');
    // /etc exists in the parent, so its entries are looked up there: a file over its dir fails.
    const intoEtc = await copyRequest(ctx, ['src/'], '/etc/', { parentRoot: parent });
    await expect(copyToLayer(intoEtc)).rejects.toThrow(/a directory is there/);
  });

  it('hard-links unchanged files from reuseDir, copies changed ones, and never writes into reused inodes', async () => {
    const ctx = writeTree(scratchDir('lw-reuse'), { 'a.txt': 'same', 'b.txt': 'before', 'c.txt': 'same size 1', 'sub/d.txt': 'deep' });
    const first = await copyRequest(ctx, ['.'], '/app/');
    await copyToLayer(first);
    const prev = first.outDir;
    writeFileSync(join(ctx, 'b.txt'), 'after!');
    writeFileSync(join(ctx, 'c.txt'), 'same size 2');
    utimesSync(join(ctx, 'c.txt'), lstatSync(join(prev, 'app/c.txt')).atime, lstatSync(join(prev, 'app/c.txt')).mtime);
    const again = await copyRequest(ctx, ['.'], '/app/', { reuseDir: prev, heredocSources: [{ name: 'a.txt', content: 'heredoc' }] });
    await copyToLayer(again);
    const ino = (root: string, p: string) => lstatSync(join(root, p)).ino;
    expect(ino(again.outDir, 'app/sub/d.txt')).toBe(ino(prev, 'app/sub/d.txt'));
    expect(ino(again.outDir, 'app/b.txt')).not.toBe(ino(prev, 'app/b.txt'));
    expect(ino(again.outDir, 'app/c.txt')).not.toBe(ino(prev, 'app/c.txt'));
    expect(readFileSync(join(again.outDir, 'app/c.txt'), 'utf8')).toBe('same size 2');
    // The heredoc replaced the reused a.txt with a new file; the earlier snapshot is untouched.
    expect(readFileSync(join(again.outDir, 'app/a.txt'), 'utf8')).toBe('heredoc');
    expect(readFileSync(join(prev, 'app/a.txt'), 'utf8')).toBe('same');
    // Another owner is other metadata: nothing is shared.
    const chowned = await copyRequest(ctx, ['.'], '/app/', { reuseDir: prev, chown: '5:5' });
    await copyToLayer(chowned);
    expect(ino(chowned.outDir, 'app/sub/d.txt')).not.toBe(ino(prev, 'app/sub/d.txt'));
    expect(lstatSync(join(chowned.outDir, 'app/sub/d.txt')).uid).toBe(5);
  });
});
