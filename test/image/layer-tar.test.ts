import { createHash } from 'node:crypto';
import { chmodSync, constants, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestLayerDir } from '../../src/image/layer-digest.js';
import { LayerTarError, layerTarStream } from '../../src/image/layer-tar.js';
import { native } from '../../src/native.js';
import { isRoot, readAll, run, streamToBuffer, tempDir } from './helpers.js';
import { CAPABILITY, makeSnapshot, touch } from './snapshot-fixture.js';

describe.skipIf(!isRoot)('layer tars of overlay snapshots', () => {
  it('list entries in byte order of their paths, relative, with directories ending in a slash', async () => {
    const dir = tempDir();
    for (const name of ['b', 'a-b', 'é', 'B', 'z']) writeFileSync(path.join(dir, name), '');
    mkdirSync(path.join(dir, 'a'));
    writeFileSync(path.join(dir, 'a/x'), '');
    const names = (await readAll(layerTarStream(dir))).map((e) => e.header.name);
    expect(names).toEqual(['B', 'a-b', 'a/', 'a/x', 'b', 'z', 'é']);
  });

  it('turn whiteout devices and opaque directories into OCI markers and keep every other attribute', async () => {
    const dir = tempDir();
    makeSnapshot(dir);
    const entries = await readAll(layerTarStream(dir));
    const byName = new Map(entries.map((e) => [e.header.name, e.header]));
    expect(byName.get('etc/')).toMatchObject({ type: 'dir', xattrs: { 'user.note': Buffer.from('kept') } });
    expect(byName.get('etc/.wh..wh..opq')).toMatchObject({ type: 'file', size: 0 });
    expect(byName.get('etc/.wh.passwd')).toMatchObject({ type: 'file', size: 0 });
    expect(byName.get('etc/.wh.shadow')).toMatchObject({ type: 'file', size: 0 });
    expect([...byName.keys()].some((n) => n.endsWith('etc/passwd') || n === 'etc/shadow')).toBe(false);
    expect(byName.get('bin/aping')).toMatchObject({ type: 'file', mode: 0o4755, gid: 300_000, xattrs: { 'security.capability': CAPABILITY } });
    expect(byName.get('bin/ping')).toMatchObject({ type: 'hardlink', linkname: 'bin/aping' });
    expect(byName.get('bin/ping6')).toMatchObject({ type: 'hardlink', linkname: 'bin/aping' });
    expect(byName.get('bin/locked')).toMatchObject({ mode: 0o000, mtime: { sec: 1_700_000_001, nsec: 123_456_789 } });
    expect(byName.get('bin/pong')).toMatchObject({ type: 'symlink', linkname: 'ping' });
    expect(byName.get('tmp/')).toMatchObject({ mode: 0o1777 });
    expect(byName.get('dev/null')).toMatchObject({ type: 'char', devmajor: 1, devminor: 3, mode: 0o666 });
    expect(byName.get('dev/loop0')).toMatchObject({ type: 'block', devmajor: 7, devminor: 0 });
    expect(byName.get('dev/fifo')).toMatchObject({ type: 'fifo', mode: 0o600 });
    expect(byName.get('ü'.repeat(60))).toMatchObject({ type: 'file', size: 9 });
  });

  it("put a directory's whiteouts right after its entry, opaque marker first, before its other children", async () => {
    const dir = tempDir();
    // What `mkdir /c && echo x > /c/.h && mv /c /c2` (npm's node_modules dance) leaves in an upper dir.
    mkdirSync(path.join(dir, 'c2'));
    native.lsetxattr(path.join(dir, 'c2'), 'trusted.overlay.opaque', Buffer.from('y'));
    for (const name of ['.h', '-a', 'v']) writeFileSync(path.join(dir, 'c2', name), 'x\n');
    native.mknod(path.join(dir, 'c2/.bin'), constants.S_IFCHR, 0, 0);
    native.mknod(path.join(dir, 'c2/z'), constants.S_IFCHR, 0, 0);
    native.mknod(path.join(dir, '.a'), constants.S_IFCHR, 0, 0);
    writeFileSync(path.join(dir, '.0'), '');
    const names = (await readAll(layerTarStream(dir))).map((e) => e.header.name);
    expect(names).toEqual(['.wh..a', '.0', 'c2/', 'c2/.wh..wh..opq', 'c2/.wh..bin', 'c2/.wh.z', 'c2/-a', 'c2/.h', 'c2/v']);
  });

  it('give the same bytes for the same directory every time', async () => {
    const dir = tempDir();
    makeSnapshot(dir);
    const first = await digestLayerDir(dir);
    expect(await digestLayerDir(dir)).toEqual(first);
    const bytes = await streamToBuffer(layerTarStream(dir));
    expect(first).toEqual({ diffId: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length });
  });

  it('keep the diff ID layers had before hashing moved into the addon', async () => {
    // Pinned from the JS implementation (stream every chunk through node:crypto): the fixture's
    // specials, a name that is not UTF-8, and bodies around the read buffer and the 1 MiB
    // line between bodies read in one call and bodies read in chunks.
    const dir = tempDir();
    makeSnapshot(dir);
    mkdirSync(path.join(dir, 'big'));
    for (const size of [0, 511, 512, 256 * 1024 + 1, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 + 5]) {
      const body = Buffer.alloc(size);
      for (let i = 0; i < size; i++) body[i] = (i * 7 + size) & 0xff;
      writeFileSync(path.join(dir, 'big', `f${size}`), body);
    }
    writeFileSync(Buffer.from(path.join(dir, 'big', 'caf\xe9'), 'latin1'), 'latin1 name');
    for (const [rel, mode] of [
      ['bin', 0o755],
      ['etc', 0o755],
      ['dev', 0o755],
      ['etc/hostname', 0o644],
      ['ü'.repeat(60), 0o644],
      ['big', 0o755],
    ] as const) {
      chmodSync(path.join(dir, rel), mode);
    }
    for (const name of readdirSync(path.join(dir, 'big'), { encoding: 'buffer' })) {
      const p = Buffer.concat([Buffer.from(path.join(dir, 'big') + '/'), name]);
      chmodSync(p, 0o644);
      native.lutimens(p, 1_700_000_100, 5);
    }
    for (const rel of ['bin', 'etc', 'dev', 'big']) touch(path.join(dir, rel), 1_700_000_200, 42);
    const expected = { diffId: 'sha256:0e116715691482e31974f5108d089bc1c3564d29455e596788d2c36e593e5a7c', size: 5_551_104 };
    expect(await digestLayerDir(dir)).toEqual(expected);
    const bytes = await streamToBuffer(layerTarStream(dir));
    expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(expected.diffId);
  });

  it('give the same bytes for directories made at different times when SOURCE_DATE_EPOCH clamps them', async () => {
    const [one, two] = [tempDir(), tempDir()];
    makeSnapshot(one);
    makeSnapshot(two);
    touch(path.join(two, 'bin/ping'), 1_800_000_000, 5);
    touch(path.join(two, 'etc'), 1_900_000_000);
    expect((await digestLayerDir(one)).diffId).not.toBe((await digestLayerDir(two)).diffId);
    const epoch = 1_600_000_000;
    expect(await digestLayerDir(one, { sourceDateEpoch: epoch })).toEqual(await digestLayerDir(two, { sourceDateEpoch: epoch }));
  });

  it('keep earlier mtimes under SOURCE_DATE_EPOCH, to the whole second', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'old'), '');
    writeFileSync(path.join(dir, 'new'), '');
    touch(path.join(dir, 'old'), 1_000_000_000, 999);
    touch(path.join(dir, 'new'), 2_000_000_000, 999);
    const entries = await readAll(layerTarStream(dir, { sourceDateEpoch: 1_500_000_000 }));
    expect(entries.map((e) => [e.header.name, e.header.mtime])).toEqual([
      ['new', { sec: 1_500_000_000, nsec: 0 }],
      ['old', { sec: 1_000_000_000, nsec: 0 }],
    ]);
  });

  it('refuse a snapshot holding an overlay redirect, which a tar cannot express', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'moved'));
    native.lsetxattr(path.join(dir, 'moved'), 'trusted.overlay.redirect', Buffer.from('/orig'));
    await expect(digestLayerDir(dir)).rejects.toThrow(LayerTarError);
  });

  it('are listed by GNU tar with whiteouts as plain files and the hardlinks resolved', () => {
    const dir = tempDir();
    makeSnapshot(dir);
    const file = path.join(tempDir(), 'layer.tar');
    return streamToBuffer(layerTarStream(dir)).then((bytes) => {
      writeFileSync(file, bytes);
      const listing = run('tar', ['--numeric-owner', '-tvf', file]);
      expect(listing).toMatch(/^-rwsr-xr-x\s+0\/300000\s+3 .* bin\/aping$/m);
      expect(listing).toMatch(/^hrwsr-xr-x .* bin\/ping link to bin\/aping$/m);
      expect(listing).toMatch(/^-{10}\s+0\/0\s+0 .* etc\/\.wh\.\.wh\.\.opq$/m);
    });
  });
});
