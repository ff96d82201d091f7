// Per-layer progress of push and pull as the CLI's display receives it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferProgress } from '../../src/image/transfer-progress.js';
import { pullImage, pushImage } from '../../src/registry/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { registryUnavailableReason, startRegistry, type TestRegistry } from '../helpers/registry.js';

describe.skipIf(registryUnavailableReason())('transfer progress', () => {
  let registry: TestRegistry;
  let tmp: string;
  const stores: Store[] = [];
  const client = { dockerConfig: '/nonexistent' };

  beforeAll(async () => {
    registry = await startRegistry();
    tmp = await mkdtemp(join(tmpdir(), 'tsbuild-progress-'));
  });
  afterAll(async () => {
    for (const store of stores) store.close();
    await registry?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const newStore = (): Store => {
    const store = openStore(join(tmp, `store-${stores.length}`));
    stores.push(store);
    return store;
  };

  it('reports bytes per layer up to its size, then how each layer ended', async () => {
    const source = newStore();
    const dir = source.makeTempDir();
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data/blob'), Buffer.alloc(300_000, 7));
    const layer = await source.commitSnapshot({ parent: null, dir });
    const { id } = await source.putImage({
      config: { architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] } },
      layers: [layer.chainId],
    });
    const ref = `${registry.host}/progress/app:1`;

    const pushed: TransferProgress[] = [];
    await pushImage(source, id, ref, { client, onProgress: (p) => pushed.push(p) });
    const blob = await source.layerBlob(layer.chainId, { compression: 'gzip' });
    const layerId = blob.digest.slice(7, 19);
    const pushing = pushed.filter((p) => p.status === 'Pushing');
    expect(pushing.length).toBeGreaterThan(0);
    expect(pushing.every((p) => p.id === layerId && p.total === blob.size)).toBe(true);
    expect(pushing.at(-1)!.current).toBe(blob.size);
    expect(pushed.at(-1)).toEqual({ id: layerId, status: 'Pushed' });

    const again: TransferProgress[] = [];
    await pushImage(source, id, ref, { client, onProgress: (p) => again.push(p) });
    expect(again).toEqual([{ id: layerId, status: 'Layer already exists' }]);

    const target = newStore();
    const pulled: TransferProgress[] = [];
    await pullImage(target, ref, { client, onProgress: (p) => pulled.push(p) });
    expect(pulled[0]).toEqual({ id: layerId, status: 'Waiting' });
    const downloading = pulled.filter((p) => p.status === 'Downloading');
    expect(downloading.at(-1)).toEqual({ id: layerId, status: 'Downloading', current: blob.size, total: blob.size });
    expect(pulled.slice(-2)).toEqual([
      { id: layerId, status: 'Download complete' },
      { id: layerId, status: 'Pull complete' },
    ]);

    const second: TransferProgress[] = [];
    target.untag(ref);
    await pullImage(target, ref, { client, onProgress: (p) => second.push(p) });
    expect(second).toEqual([]);
  });
});
