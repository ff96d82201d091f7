import { dirname, join } from 'node:path';
import type { StoreContext } from './context.js';
import { collectGarbage, emptyTrash } from './collect.js';
import { moveToTrash } from '../fs/index.js';
import { liveBytes } from './reachability.js';
import { treeBytes } from './usage.js';
import { releaseDeadLeftovers } from './stale.js';

export interface PruneOptions {
  /** Remove all build cache (cache records, cache mounts), not only what the filters select. */
  all?: boolean;
  /** Remove least recently used cache records until the store holds at most this many bytes. */
  keepStorage?: number;
  /** Only remove cache records unused, and untagged images created, more than this many ms ago. */
  until?: number;
}

export interface PruneResult {
  images: number;
  cacheRecords: number;
  cacheMounts: number;
  /** Bytes the removed cache mounts held (also counted in reclaimedBytes). */
  cacheMountBytes: number;
  layers: number;
  blobs: number;
  /** Leftovers of killed processes (temp files, files without rows). */
  orphans: number;
  staleLeases: number;
  reclaimedBytes: number;
}

/**
 * Removes untagged images, the selected build cache, and then everything no image, cache
 * record or live lease still refers to. Nothing a running build holds is touched: leases of
 * live processes are roots, and all decisions are made under the write lock.
 */
export async function prune(ctx: StoreContext, opts: PruneOptions = {}): Promise<PruneResult> {
  const cutoff = opts.until === undefined ? Number.MAX_SAFE_INTEGER : Date.now() - opts.until;
  const staleLeases = ctx.leases.releaseStale();
  const leftovers = releaseDeadLeftovers(dirname(ctx.paths.db));
  const result = ctx.db
    .transaction(() => {
      const { db } = ctx;
      const images = db
        .prepare(
          `DELETE FROM images WHERE created < ? AND id NOT IN (SELECT image_id FROM tags UNION SELECT image_id FROM name_platforms)
           AND id NOT IN (SELECT key FROM lease_resources WHERE kind = 'image')`,
        )
        .run(cutoff).changes;
      let cacheRecords = 0;
      let cacheMounts = 0;
      let cacheMountBytes = 0;
      if (opts.all || opts.until !== undefined) {
        cacheRecords += db.prepare('DELETE FROM cache_records WHERE last_used < ?').run(cutoff).changes;
      }
      if (opts.all) {
        const mounts = db
          .prepare(
            `SELECT id, dir FROM cache_mounts WHERE last_used < ?
             AND id NOT IN (SELECT key FROM lease_resources WHERE kind = 'cache-mount')`,
          )
          .all(cutoff) as { id: string; dir: string }[];
        for (const m of mounts) {
          cacheMountBytes += treeBytes(join(ctx.paths.cacheMounts, m.dir));
          moveToTrash(ctx.paths.trash, join(ctx.paths.cacheMounts, m.dir));
          db.prepare('DELETE FROM cache_mounts WHERE id = ?').run(m.id);
        }
        cacheMounts = mounts.length;
      }
      if (opts.keepStorage !== undefined) {
        const byAge = db.prepare('SELECT key FROM cache_records ORDER BY last_used, key').all() as { key: string }[];
        const del = db.prepare('DELETE FROM cache_records WHERE key = ?');
        for (const { key } of byAge) {
          if (liveBytes(db) <= opts.keepStorage) break;
          cacheRecords += del.run(key).changes;
        }
      }
      const collected = collectGarbage(ctx);
      return {
        images,
        cacheRecords,
        cacheMounts,
        cacheMountBytes,
        layers: collected.layers,
        blobs: collected.blobs,
        orphans: collected.orphans.length + leftovers.length,
        reclaimedBytes: collected.reclaimedBytes + cacheMountBytes,
      };
    })
    .immediate();
  await emptyTrash(ctx);
  return { ...result, staleLeases };
}
