import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { applyLayer } from '../../src/image/apply-layer.js';
import { digestLayerDir } from '../../src/image/layer-digest.js';
import { layerTarStream } from '../../src/image/layer-tar.js';
import { native } from '../../src/native.js';
import { archive, header, isRoot, streamToBuffer, tempDir } from './helpers.js';
import { makeSnapshot } from './snapshot-fixture.js';

describe.skipIf(!isRoot)('applying layers', () => {
  it('rebuilds a snapshot whose layer tar is byte-identical to the original', async () => {
    const [from, to] = [tempDir(), tempDir()];
    makeSnapshot(from);
    const result = await applyLayer(layerTarStream(from), to);
    expect(result.entries).toBeGreaterThan(15);
    expect(await digestLayerDir(to)).toEqual(await digestLayerDir(from));
  });

  it('accepts gzip-compressed layers', async () => {
    const [from, to] = [tempDir(), tempDir()];
    makeSnapshot(from);
    const gz = gzipSync(await streamToBuffer(layerTarStream(from)));
    await applyLayer(Readable.from([gz.subarray(0, 1), gz.subarray(1)]), to);
    expect(await digestLayerDir(to)).toEqual(await digestLayerDir(from));
  });

  it('turns OCI whiteouts into overlay whiteout devices and opaque xattrs', async () => {
    const to = tempDir();
    const tar = archive([
      { header: header({ name: 'etc/', type: 'dir' }) },
      { header: header({ name: 'etc/.wh..wh..opq', type: 'file' }) },
      { header: header({ name: './etc/.wh.passwd', type: 'file' }) },
      { header: header({ name: 'etc/hosts', type: 'file' }), body: Buffer.from('127.0.0.1 localhost\n') },
    ]);
    expect(await applyLayer(Readable.from([tar]), to)).toEqual({ entries: 4 });
    const wh = lstatSync(path.join(to, 'etc/passwd'));
    expect([wh.isCharacterDevice(), wh.rdev]).toEqual([true, 0]);
    expect(native.lgetxattrs(path.join(to, 'etc'))['trusted.overlay.opaque']).toEqual(Buffer.from('y'));
    expect(readFileSync(path.join(to, 'etc/hosts'), 'utf8')).toBe('127.0.0.1 localhost\n');
  });

  it("honours markers in either order: they hide lower layers' paths, never this layer's own", async () => {
    const body = Buffer.from('x\n');
    const markersLast = archive([
      { header: header({ name: 'c2/', type: 'dir' }) },
      { header: header({ name: 'c2/.h', type: 'file' }), body },
      { header: header({ name: 'c2/.wh..wh..opq', type: 'file' }) },
      { header: header({ name: 'c2/v', type: 'file' }), body },
      { header: header({ name: 'd/', type: 'dir' }) },
      { header: header({ name: 'd/f', type: 'file' }), body },
      { header: header({ name: 'e', type: 'file' }), body },
      { header: header({ name: '.wh.d', type: 'file' }) },
      { header: header({ name: '.wh.e', type: 'file' }) },
    ]);
    const markersFirst = archive([
      { header: header({ name: '.wh.d', type: 'file' }) },
      { header: header({ name: '.wh.e', type: 'file' }) },
      { header: header({ name: 'c2/', type: 'dir' }) },
      { header: header({ name: 'c2/.wh..wh..opq', type: 'file' }) },
      { header: header({ name: 'c2/.h', type: 'file' }), body },
      { header: header({ name: 'c2/v', type: 'file' }), body },
      { header: header({ name: 'd/', type: 'dir' }) },
      { header: header({ name: 'd/f', type: 'file' }), body },
      { header: header({ name: 'e', type: 'file' }), body },
    ]);
    const trees: string[] = [];
    for (const tar of [markersLast, markersFirst]) {
      const to = tempDir();
      await applyLayer(Readable.from([tar]), to);
      for (const rel of ['c2/.h', 'c2/v', 'd/f', 'e']) expect(readFileSync(path.join(to, rel), 'utf8')).toBe('x\n');
      // A directory that replaces a deleted one hides the lower one's content: opaque.
      for (const rel of ['c2', 'd']) expect(native.lgetxattrs(path.join(to, rel))['trusted.overlay.opaque']).toEqual(Buffer.from('y'));
      expect(lstatSync(path.join(to, 'e')).isFile()).toBe(true);
      trees.push((await digestLayerDir(to)).diffId);
    }
    expect(trees[1]).toBe(trees[0]);
  });

  it('creates device nodes inside the snapshot and drops overlay xattrs a tar carries', async () => {
    const to = tempDir();
    const tar = archive([
      { header: header({ name: 'null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 }) },
      {
        header: header({ name: 'x', type: 'file', xattrs: { 'trusted.overlay.redirect': Buffer.from('/etc'), 'user.a': Buffer.from('b') } }),
        body: Buffer.from(''),
      },
    ]);
    await applyLayer(Readable.from([tar]), to);
    const st = lstatSync(path.join(to, 'null'));
    expect([st.isCharacterDevice(), st.rdev, st.mode & 0o7777]).toEqual([true, (1 << 8) | 3, 0o666]);
    expect(native.lgetxattrs(path.join(to, 'x'))).toEqual({ 'user.a': Buffer.from('b') });
  });
});
