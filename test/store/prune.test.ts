import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { makeTempStore, type TempStore } from '../helpers/temp-store.js';

const HOLD_LEASE = fileURLToPath(new URL('./fixtures/hold-lease.ts', import.meta.url));

async function layer(store: Store, content: string, parent: string | null = null): Promise<string> {
  const dir = store.makeTempDir();
  writeFileSync(join(dir, 'f'), content);
  return (await store.commitSnapshot({ parent, dir, sourceDateEpoch: 0 })).chainId;
}

async function image(store: Store, chainIds: string[]): Promise<string> {
  const config = { architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers' as const, diff_ids: [] } };
  return (await store.putImage({ config, layers: chainIds })).id;
}

describe('prune', () => {
  let t: TempStore;
  beforeEach(() => {
    t = makeTempStore();
  });
  afterEach(() => t.dispose());

  it('keeps tagged images with all their layers and blobs, and removes untagged ones', async () => {
    const base = await layer(t.store, 'base');
    const top = await layer(t.store, 'top', base);
    const kept = await image(t.store, [base, top]);
    t.store.tag('kept', kept);
    const dropped = await image(t.store, [await layer(t.store, 'other')]);
    const result = await t.store.prune();
    expect(result).toMatchObject({ images: 1, layers: 1, blobs: 2 });
    expect(await t.store.resolveImage('kept')).toMatchObject({ id: kept, chainIds: [base, top] });
    expect(await t.store.resolveImage(dropped)).toBeNull();
    expect(t.store.lowerdirs(top)).toHaveLength(2);
    expect((await t.store.fsck()).problems).toEqual([]);
  });

  it('never removes what a running lease holds, in this process or another', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', HOLD_LEASE, t.root], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    const held = chunk.toString().trim();
    await t.store.withLease(async () => {
      const mine = await layer(t.store, 'mine');
      await t.store.prune({ all: true });
      expect(t.store.getLayer(mine)).toBeDefined();
      expect(t.store.getLayer(held)).toBeDefined();
    });
    child.kill('SIGKILL');
    await once(child, 'close');
    // The killed process's lease is stale now, and our own lease has ended.
    const result = await t.store.prune({ all: true });
    expect(result).toMatchObject({ staleLeases: 1, layers: 2 });
    expect(t.store.getLayer(held)).toBeUndefined();
  });

  it('keeps build cache unless --all, --filter until or --keep-storage selects it', async () => {
    const old = await layer(t.store, 'old cache');
    const recent = await layer(t.store, 'recent cache');
    // The store's clock is pinned so `until` selects by age, not by how fast this machine runs.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const start = Date.parse('2026-01-01T00:00:00Z');
      vi.setSystemTime(start);
      t.store.putCacheRecord({ key: 'old', chainId: old, configDelta: {} });
      vi.setSystemTime(start + 60_000);
      t.store.putCacheRecord({ key: 'recent', chainId: recent, configDelta: {} });
      vi.setSystemTime(start + 90_000);
      expect(await t.store.prune()).toMatchObject({ cacheRecords: 0, layers: 0 });
      expect(await t.store.prune({ until: 3_600_000 })).toMatchObject({ cacheRecords: 0 });
      expect(await t.store.prune({ until: 60_000 })).toMatchObject({ cacheRecords: 1, layers: 1 });
    } finally {
      vi.useRealTimers();
    }
    expect(t.store.getCacheRecord('old')).toBeNull();
    expect(t.store.getCacheRecord('recent')).not.toBeNull();
    expect(await t.store.prune({ keepStorage: 0 })).toMatchObject({ cacheRecords: 1, layers: 1 });
    expect(t.store.diskUsage().layers.count).toBe(0);
  });

  it('leaves the scratch dirs of a live process alone', async () => {
    const scratch = await mkdtemp(join(t.store.tmpDir(), 'run-'));
    await t.store.prune({ all: true });
    expect(existsSync(scratch)).toBe(true);
    expect(readdirSync(t.store.emptyDir())).toEqual([]);
  });

  it('removes cache mounts only with --all', async () => {
    t.store.cacheMountDir('apt');
    expect(await t.store.prune()).toMatchObject({ cacheMounts: 0 });
    expect(await t.store.prune({ all: true })).toMatchObject({ cacheMounts: 1 });
  });

  it('counts what cache mounts hold in du and in what prune frees', async () => {
    const dir = t.store.cacheMountDir('npm');
    writeFileSync(join(dir, 'package.tgz'), Buffer.alloc(100_000));
    const du = t.store.diskUsage();
    expect(du.cacheMounts.count).toBe(1);
    expect(du.cacheMounts.size).toBeGreaterThanOrEqual(100_000);
    const pruned = await t.store.prune({ all: true });
    expect(pruned.cacheMounts).toBe(1);
    expect(pruned.cacheMountBytes).toBeGreaterThanOrEqual(100_000);
    expect(pruned.reclaimedBytes).toBeGreaterThanOrEqual(pruned.cacheMountBytes);
    expect(t.store.diskUsage().cacheMounts).toEqual({ count: 0, size: 0, reclaimable: 0 });
  });
});
