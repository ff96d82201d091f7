import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chainIdOf, type Store } from '../../src/store/index.js';
import { MEDIA_TYPES } from '../../src/image/oci-types.js';
import { makeTempStore, type TempStore } from '../helpers/temp-store.js';

function layerDir(store: Store, files: Record<string, string>): string {
  const dir = store.makeTempDir();
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

describe('snapshots', () => {
  let t: TempStore;
  beforeEach(() => {
    t = makeTempStore();
  });
  afterEach(() => t.dispose());

  it('computes chain IDs as the OCI spec defines them', () => {
    const a = `sha256:${'a'.repeat(64)}`;
    const b = `sha256:${'b'.repeat(64)}`;
    expect(chainIdOf(null, a)).toBe(a);
    expect(chainIdOf(a, b)).toBe(`sha256:${createHash('sha256').update(`${a} ${b}`).digest('hex')}`);
  });

  it('stacks committed layers as short lowerdirs, topmost first', async () => {
    const base = await t.store.commitSnapshot({ parent: null, dir: layerDir(t.store, { 'etc/a': 'a' }) });
    const top = await t.store.commitSnapshot({ parent: base.chainId, dir: layerDir(t.store, { 'etc/b': 'b' }), sourceDateEpoch: 0 });
    expect(top.chainId).toBe(chainIdOf(base.chainId, top.diffId));
    const lower = t.store.lowerdirs(top.chainId);
    expect(lower).toHaveLength(2);
    expect(lower.every((l) => /^l\/[0-9a-f]{16}$/.test(l))).toBe(true);
    expect(readFileSync(join(t.root, lower[0]!, 'etc/b'), 'utf8')).toBe('b');
    expect(readFileSync(join(t.root, lower[1]!, 'etc/a'), 'utf8')).toBe('a');
    expect(readlinkSync(join(t.root, lower[1]!))).toMatch(/^\.\.\/snapshots\/[0-9a-f]{64}\/fs$/);
    expect(t.store.snapshotDir(top.chainId)).toBe(join(t.root, 'snapshots', top.chainId.slice(7), 'fs'));
  });

  it('keeps one copy when the same layer is committed twice', async () => {
    // SOURCE_DATE_EPOCH makes the two dirs, written at different times, the same layer.
    const first = await t.store.commitSnapshot({ parent: null, dir: layerDir(t.store, { f: 'same' }), sourceDateEpoch: 0 });
    const secondDir = layerDir(t.store, { f: 'same' });
    const second = await t.store.commitSnapshot({ parent: null, dir: secondDir, sourceDateEpoch: 0 });
    expect(second).toEqual(first);
    expect(existsSync(secondDir)).toBe(false);
    expect(t.store.diskUsage().layers.count).toBe(1);
  });

  it('refuses a parent that is not in the store', async () => {
    await expect(t.store.commitSnapshot({ parent: `sha256:${'0'.repeat(64)}`, dir: layerDir(t.store, {}) })).rejects.toThrow(/not in the store/);
  });

  it('makes layer blobs on demand, uncompressed and gzip, and remembers them', async () => {
    const layer = await t.store.commitSnapshot({ parent: null, dir: layerDir(t.store, { 'hello.txt': 'hello' }) });
    const plain = await t.store.layerBlob(layer.chainId, { compression: 'none' });
    expect(plain).toMatchObject({ mediaType: MEDIA_TYPES.ociLayer, digest: layer.diffId, size: layer.size });
    const gz = await t.store.layerBlob(layer.diffId, { compression: 'gzip' });
    expect(gz.mediaType).toBe(MEDIA_TYPES.ociLayerGzip);
    const unpacked = gunzipSync(readFileSync(gz.path));
    expect(`sha256:${createHash('sha256').update(unpacked).digest('hex')}`).toBe(layer.diffId);
    const again = await t.store.layerBlob(layer.chainId, { compression: 'gzip' });
    expect(again.digest).toBe(gz.digest);
    expect(lstatSync(again.path).ino).toBe(lstatSync(gz.path).ino);
  });

  it('makes gzip blobs for several layers at once', async () => {
    const chainIds: string[] = [];
    for (const content of ['one', 'two', 'three']) {
      chainIds.push((await t.store.commitSnapshot({ parent: chainIds.at(-1) ?? null, dir: layerDir(t.store, { f: content }) })).chainId);
    }
    const blobs = await t.store.layerBlobs(chainIds, { compression: 'gzip' });
    expect(blobs.map((b) => gunzipSync(readFileSync(b.path)).length)).toEqual(chainIds.map((c) => t.store.getLayer(c)!.size));
  });

  it('stores images whose config diff_ids follow the layers', async () => {
    const base = await t.store.commitSnapshot({ parent: null, dir: layerDir(t.store, { a: '1' }) });
    const top = await t.store.commitSnapshot({ parent: base.chainId, dir: layerDir(t.store, { b: '2' }) });
    const { id, manifestDigest } = await t.store.putImage({
      config: { architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [] } },
      layers: [base.chainId, top.chainId],
    });
    const image = await t.store.resolveImage(id);
    expect(image).toMatchObject({ id, manifestDigest, chainIds: [base.chainId, top.chainId], tags: [] });
    expect(image!.config.rootfs.diff_ids).toEqual([base.diffId, top.diffId]);
    expect(image!.manifest.layers.map((l) => l.digest)).toEqual([base.diffId, top.diffId]);
    expect(t.store.tag('app:1', id)).toBe('docker.io/library/app:1');
    expect((await t.store.resolveImage('app:1'))?.id).toBe(id);
    expect(await t.store.resolveImage('app')).toBeNull();
    expect(t.store.untag('docker.io/library/app:1')).toBe(true);
    expect(await t.store.resolveImage('app:1')).toBeNull();
  });

  it('stores the same image again as it was, restoring a blob that went missing, and re-tags it', async () => {
    const layer = await t.store.commitSnapshot({ parent: null, dir: layerDir(t.store, { a: '1' }) });
    const opts = {
      config: { architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers' as const, diff_ids: [] } },
      layers: [layer.chainId],
    };
    const first = await t.store.putImage(opts);
    expect(first.manifestSize).toBe(readFileSync(t.store.blobPath(first.manifestDigest)).length);
    expect(t.store.tag('app', first.id)).toBe('docker.io/library/app:latest');
    expect(await t.store.putImage(opts)).toEqual(first);
    expect(t.store.tag('app', first.id)).toBe('docker.io/library/app:latest');
    expect(t.store.listImages().map((i) => [i.id, i.tags])).toEqual([[first.id, ['docker.io/library/app:latest']]]);
    rmSync(t.store.blobPath(first.manifestDigest));
    expect(await t.store.putImage(opts)).toEqual(first);
    expect(t.store.hasBlob(first.manifestDigest)).toBe(true);
    const other = await t.store.putImage({ ...opts, config: { ...opts.config, config: { Cmd: ['sh'] } } });
    t.store.tag('app', other.id);
    expect(t.store.resolveImage('app')?.id).toBe(other.id);
    expect(t.store.resolveImage(first.id)?.tags).toEqual([]);
  });
});

describe('cache records and the stat cache', () => {
  let t: TempStore;
  beforeEach(() => {
    t = makeTempStore();
  });
  afterEach(() => t.dispose());

  it('round-trips cache records with their config delta', async () => {
    const layer = await t.store.commitSnapshot({ parent: null, dir: t.store.makeTempDir() });
    t.store.putCacheRecord({ key: 'k1', chainId: layer.chainId, configDelta: { Env: ['A=1'] } });
    t.store.putCacheRecord({ key: 'k2', chainId: null, configDelta: { WorkingDir: '/app' } });
    expect(t.store.getCacheRecord('k1')).toMatchObject({ chainId: layer.chainId, configDelta: { Env: ['A=1'] } });
    expect(t.store.getCacheRecord('k2')).toMatchObject({ chainId: null, configDelta: { WorkingDir: '/app' } });
    expect(t.store.getCacheRecord('missing')).toBeNull();
  });

  it('answers from the stat cache only while size, times, inode and mode match', () => {
    const st = {
      size: 5,
      mode: 0o100644,
      mtimeSec: 1_700_000_000,
      mtimeNsec: 123_456_789,
      ctimeSec: 1_700_000_000,
      ctimeNsec: 987_654_321,
      inoHigh: 0,
      inoLow: 42,
    };
    const cache = t.store.statCache('ctx-1');
    cache.record('a.txt', st, 'sha256:aa');
    cache.record('d/b.txt', { ...st, inoHigh: 7 }, 'sha256:bb');
    cache.flush();
    const reopened = t.store.statCache('ctx-1');
    expect(reopened.lookup('a.txt', st)).toBe('sha256:aa');
    expect(reopened.lookup('d/b.txt', { ...st, inoHigh: 7 })).toBe('sha256:bb');
    expect(reopened.lookup('a.txt', { ...st, mtimeNsec: st.mtimeNsec + 1 })).toBeUndefined();
    expect(reopened.lookup('a.txt', { ...st, inoLow: 43 })).toBeUndefined();
    expect(reopened.lookup('d/b.txt', st)).toBeUndefined();
    expect(t.store.statCache('ctx-2').lookup('a.txt', st)).toBeUndefined();
  });

  it('reads stat cache rows as written since the first schema: nanosecond times and inode as one integer each', () => {
    const db = new Database(join(t.root, 'meta.db'));
    const insert = db.prepare('INSERT INTO stat_cache (context_id, path, size, mtime_ns, ctime_ns, ino, mode, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    insert.run('ctx', 'old.txt', 3, -999_999_995n, 1_700_000_000_000_000_001n, (5n << 32n) | 9n, 0o100600, 'sha256:old');
    insert.run('ctx', 'd/e/deep.txt', 3, 0n, 0n, 1n, 0o100600, 'sha256:deep');
    insert.run('ctx', 'd-e.txt', 3, 0n, 0n, 1n, 0o100600, 'sha256:top');
    db.close();
    const cache = t.store.statCache('ctx');
    // -999999995 ns is 5 ns past second -1, as a timespec has it.
    const old = { size: 3, mode: 0o100600, mtimeSec: -1, mtimeNsec: 5, ctimeSec: 1_700_000_000, ctimeNsec: 1, inoHigh: 5, inoLow: 9 };
    expect(cache.lookup('old.txt', old)).toBe('sha256:old');
    const zero = { size: 3, mode: 0o100600, mtimeSec: 0, mtimeNsec: 0, ctimeSec: 0, ctimeNsec: 0, inoHigh: 0, inoLow: 1 };
    expect(cache.lookup('d/e/deep.txt', zero)).toBe('sha256:deep');
    expect(cache.lookup('d-e.txt', zero)).toBe('sha256:top');
    expect(cache.lookup('d/e.txt', zero)).toBeUndefined();
  });

  it('keeps directory digests by fingerprint', () => {
    const cache = t.store.statCache('ctx');
    cache.recordDir('.', 'sha256:f1', 'sha256:d1');
    cache.recordDir('src', 'sha256:f2', 'sha256:d2');
    expect(cache.lookupDir('.', 'sha256:f1')).toBe('sha256:d1');
    cache.flush();
    const reopened = t.store.statCache('ctx');
    expect(reopened.lookupDir('.', 'sha256:f1')).toBe('sha256:d1');
    expect(reopened.lookupDir('src', 'sha256:f2')).toBe('sha256:d2');
    expect(reopened.lookupDir('src', 'sha256:f1')).toBeUndefined();
    expect(t.store.statCache('other').lookupDir('.', 'sha256:f1')).toBeUndefined();
  });
});
