import type { Db } from './db.js';

/**
 * Fills temp.live_chains and temp.live_blobs with what must stay: layers under images, cache
 * records and leases (with all their parents), and the blobs of those images and layers.
 * Call inside the write transaction that deletes the rest. With `tagged`, only tagged images
 * and leases count as roots: what is left is what `prune --all` would keep.
 */
export function markLive(db: Db, roots: 'all' | 'tagged' = 'all'): void {
  const images =
    roots === 'all'
      ? 'SELECT id FROM images'
      : `SELECT image_id FROM tags UNION SELECT image_id FROM name_platforms UNION SELECT key FROM lease_resources WHERE kind = 'image'`;
  const cache = roots === 'all' ? 'SELECT chain_id FROM cache_records WHERE chain_id IS NOT NULL' : 'SELECT NULL WHERE 0';
  db.exec(`
    CREATE TEMP TABLE IF NOT EXISTS live_chains (chain_id TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TEMP TABLE IF NOT EXISTS live_blobs (digest TEXT PRIMARY KEY) WITHOUT ROWID;
    DELETE FROM temp.live_chains;
    DELETE FROM temp.live_blobs;
    INSERT INTO temp.live_chains
      WITH RECURSIVE
        roots(chain_id) AS (
          SELECT chain_id FROM image_layers WHERE image_id IN (${images})
          UNION ${cache}
          UNION SELECT key FROM lease_resources WHERE kind = 'snapshot'),
        live(chain_id) AS (
          SELECT chain_id FROM roots
          UNION SELECT l.parent FROM layers l JOIN live ON l.chain_id = live.chain_id WHERE l.parent IS NOT NULL)
      SELECT chain_id FROM live;
    INSERT OR IGNORE INTO temp.live_blobs
      SELECT id FROM images WHERE id IN (${images})
      UNION SELECT manifest_digest FROM images WHERE id IN (${images})
      UNION SELECT key FROM lease_resources WHERE kind = 'blob'
      UNION SELECT lb.digest FROM layer_blobs lb JOIN layers l ON l.diff_id = lb.diff_id
            JOIN temp.live_chains c ON c.chain_id = l.chain_id;
  `);
}

/** Bytes held by live layers (uncompressed) and live blobs, the measure --keep-storage limits. */
export function liveBytes(db: Db): number {
  markLive(db);
  const row = db
    .prepare(
      `SELECT (SELECT COALESCE(SUM(size), 0) FROM layers WHERE chain_id IN (SELECT chain_id FROM temp.live_chains))
            + (SELECT COALESCE(SUM(size), 0) FROM blobs WHERE digest IN (SELECT digest FROM temp.live_blobs)) AS bytes`,
    )
    .get() as { bytes: number };
  return row.bytes;
}
