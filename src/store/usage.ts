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
  cacheMounts: { count: number };
}

/** What the store holds, by kind, and what prune --all would give back. */
export function diskUsage(ctx: StoreContext): DiskUsage {
  const { db } = ctx;
  ctx.leases.releaseStale();
  return db.transaction((): DiskUsage => {
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
      images: one(`SELECT COUNT(*) AS count, (SELECT COUNT(*) FROM (SELECT image_id FROM tags UNION SELECT image_id FROM name_platforms)) AS tagged FROM images`),
      layers,
      blobs,
      cacheRecords: one('SELECT COUNT(*) AS count FROM cache_records'),
      cacheMounts: one('SELECT COUNT(*) AS count FROM cache_mounts'),
    };
  })();
}
