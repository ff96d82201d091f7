import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StoreContext } from './context.js';
import { markLive } from './reachability.js';

export interface UsageLine {
  count: number;
  /** Bytes: uncompressed tar size for layers, file size for blobs. */
  size: number;
  /** Bytes `prune --all` would free. */
  reclaimable: number;
}

export interface DiskUsage {
  images: { count: number; tagged: number };
  layers: UsageLine;
  blobs: UsageLine;
  cacheRecords: { count: number };
  /** `RUN --mount=type=cache` directories: bytes of the files in them. */
  cacheMounts: UsageLine;
}

/** Bytes of the files, symlinks and directories under `dir` (0 when it is gone). */
export function treeBytes(dir: string): number {
  let total = 0;
  const stack = [dir];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    let st;
    try {
      st = lstatSync(next);
    } catch {
      continue;
    }
    total += st.size;
    if (!st.isDirectory()) continue;
    try {
      for (const name of readdirSync(next)) stack.push(join(next, name));
    } catch {
      // unreadable: counted as far as it could be read
    }
  }
  return total;
}

/** What the store holds, by kind, and what prune --all would give back. */
export function diskUsage(ctx: StoreContext): DiskUsage {
  const { db } = ctx;
  ctx.leases.releaseStale();
  const usage = db.transaction(() => {
    markLive(db, 'tagged');
    const one = <T>(sql: string): T => db.prepare(sql).get() as T;
    const layers = one<{ count: number; size: number; reclaimable: number }>(
      `SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS size,
              COALESCE(SUM(CASE WHEN chain_id IN (SELECT chain_id FROM temp.live_chains) THEN 0 ELSE size END), 0) AS reclaimable
       FROM layers`,
    );
    const blobs = one<{ count: number; size: number; reclaimable: number }>(
      `SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS size,
              COALESCE(SUM(CASE WHEN digest IN (SELECT digest FROM temp.live_blobs) THEN 0 ELSE size END), 0) AS reclaimable
       FROM blobs`,
    );
    return {
      images: one<DiskUsage['images']>(
        `SELECT COUNT(*) AS count, (SELECT COUNT(*) FROM (SELECT image_id FROM tags UNION SELECT image_id FROM name_platforms)) AS tagged FROM images`,
      ),
      layers,
      blobs,
      cacheRecords: one<{ count: number }>('SELECT COUNT(*) AS count FROM cache_records'),
      mounts: db.prepare(`SELECT dir, id IN (SELECT key FROM lease_resources WHERE kind = 'cache-mount') AS held FROM cache_mounts`).all() as {
        dir: string;
        held: number;
      }[],
    };
  })();
  // Cache mounts have no size row (steps write them freely), so they are measured on disk.
  const cacheMounts: UsageLine = { count: usage.mounts.length, size: 0, reclaimable: 0 };
  for (const m of usage.mounts) {
    const bytes = treeBytes(join(ctx.paths.cacheMounts, m.dir));
    cacheMounts.size += bytes;
    if (!m.held) cacheMounts.reclaimable += bytes;
  }
  return { images: usage.images, layers: usage.layers, blobs: usage.blobs, cacheRecords: usage.cacheRecords, cacheMounts };
}
