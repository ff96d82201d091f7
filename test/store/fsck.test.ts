import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { makeTempStore, type TempStore } from '../helpers/temp-store.js';

async function taggedImage(store: Store, name: string, content: string): Promise<{ id: string; chainId: string }> {
  const dir = store.makeTempDir();
  writeFileSync(join(dir, 'f'), content);
  const { chainId } = await store.commitSnapshot({ parent: null, dir, sourceDateEpoch: 0 });
  const config = { architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers' as const, diff_ids: [] } };
  const { id } = await store.putImage({ config, layers: [chainId] });
  store.tag(name, id);
  return { id, chainId };
}

describe('fsck', () => {
  let t: TempStore;
  beforeEach(() => {
    t = makeTempStore();
  });
  afterEach(() => t.dispose());

  it('reports a healthy store as clean', async () => {
    await taggedImage(t.store, 'ok', 'ok');
    expect(await t.store.fsck()).toMatchObject({ problems: [], cleaned: [], blobsChecked: 2 });
  });

  it('removes a corrupt config blob together with the image that needs it', async () => {
    const bad = await taggedImage(t.store, 'bad', 'bad');
    await taggedImage(t.store, 'good', 'good');
    writeFileSync(t.store.blobPath(bad.id), '{"tampered":true}');
    const result = await t.store.fsck();
    expect(result.problems).toEqual([
      expect.stringContaining(`blob ${bad.id} is corrupt`),
      expect.stringContaining(`image ${bad.id} lost its config or manifest blob`),
    ]);
    expect(await t.store.resolveImage('bad')).toBeNull();
    expect(await t.store.resolveImage('good')).not.toBeNull();
    expect((await t.store.fsck()).problems).toEqual([]);
  });

  it('drops a layer whose snapshot dir vanished, with the images built on it', async () => {
    const img = await taggedImage(t.store, 'gone', 'gone');
    rmSync(join(t.root, 'snapshots', img.chainId.slice(7)), { recursive: true });
    const result = await t.store.fsck();
    expect(result.problems).toEqual([`layer ${img.chainId} has no snapshot dir`, `image ${img.id} uses a broken layer: image and its tags removed`]);
    expect(await t.store.resolveImage('gone')).toBeNull();
  });

  it('rewrites a missing short link and sweeps files no row names', async () => {
    const img = await taggedImage(t.store, 'linked', 'linked');
    const [link] = t.store.lowerdirs(img.chainId);
    rmSync(join(t.root, link!));
    writeFileSync(join(t.root, 'blobs/sha256', 'f'.repeat(64)), 'stray');
    renameSync(t.store.makeTempDir(), join(t.root, 'snapshots', 'e'.repeat(64)));
    const result = await t.store.fsck();
    expect(result.problems).toEqual([`link ${link} was missing or wrong: rewritten`]);
    expect(result.cleaned.sort()).toEqual([`blobs/sha256/${'f'.repeat(64)}`, `snapshots/${'e'.repeat(64)}`]);
    expect(t.store.lowerdirs(img.chainId)).toEqual([link]);
  });
});
