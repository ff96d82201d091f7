import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StoreContext } from './context.js';
import { emptyTrash, sweepOrphans } from './collect.js';
import { releaseDeadLeftovers } from './stale.js';
import { moveToTrash } from '../fs/index.js';
import { writeLink } from './snapshots.js';

export interface FsckResult {
  /** Damage found (and repaired by removing what was damaged, and what depended on it). */
  problems: string[];
  /** Leftovers of killed processes that were removed; expected after a crash, not damage. */
  cleaned: string[];
  blobsChecked: number;
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Checks every blob against its digest and every row against the files and rows it names,
 * then repairs: corrupt blobs, rows without files and everything depending on them are
 * removed (images, layers above, cache records), links are rewritten, leftovers swept.
 */
export async function fsck(ctx: StoreContext): Promise<FsckResult> {
  const { db, paths } = ctx;
  ctx.leases.releaseStale();
  const released = releaseDeadLeftovers(dirname(paths.db));
  const problems: string[] = [];
  const corrupt = new Map<string, string>();
  // Blobs with rows are checked; files without one are crash leftovers, swept below.
  const rows = new Set((db.prepare('SELECT digest FROM blobs').all() as { digest: string }[]).map((r) => r.digest.slice(7)));
  let names: string[] = [];
  try {
    names = readdirSync(paths.blobs).filter((name) => rows.has(name));
  } catch {
    names = [];
  }
  // Hashing is slow, so it happens before taking the write lock; blobs never change in place.
  for (const name of names) {
    const actual = await hashFile(join(paths.blobs, name)).catch(() => undefined);
    if (actual !== undefined && actual !== `sha256:${name}`) corrupt.set(name, actual);
  }
  const cleaned = db
    .transaction(() => {
      for (const [name, actual] of corrupt) {
        moveToTrash(paths.trash, join(paths.blobs, name));
        db.prepare('DELETE FROM blobs WHERE digest = ?').run(`sha256:${name}`);
        problems.push(`blob sha256:${name} is corrupt (its content hashes to ${actual}): removed`);
      }
      for (const { digest } of db.prepare('SELECT digest FROM blobs').all() as { digest: string }[]) {
        if (!existsSync(join(paths.blobs, digest.slice(7)))) {
          db.prepare('DELETE FROM blobs WHERE digest = ?').run(digest);
          problems.push(`blob ${digest} has a row but no file: row removed`);
        }
      }
      db.prepare('DELETE FROM layer_blobs WHERE digest NOT IN (SELECT digest FROM blobs)').run();
      const broken = brokenLayers(ctx, problems);
      removeLayers(ctx, broken, problems);
      for (const { id } of db
        .prepare('SELECT id FROM images WHERE id NOT IN (SELECT digest FROM blobs) OR manifest_digest NOT IN (SELECT digest FROM blobs)')
        .all() as { id: string }[]) {
        db.prepare('DELETE FROM images WHERE id = ?').run(id);
        problems.push(`image ${id} lost its config or manifest blob: image and its tags removed`);
      }
      const tags =
        db.prepare('DELETE FROM tags WHERE image_id NOT IN (SELECT id FROM images)').run().changes +
        db.prepare('DELETE FROM name_platforms WHERE image_id NOT IN (SELECT id FROM images)').run().changes;
      if (tags > 0) problems.push(`${tags} tag(s) named missing images: removed`);
      for (const row of db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[]) {
        problems.push(`row ${row.rowid} of ${row.table} refers to a missing ${row.parent} row`);
      }
      for (const { link, dir } of db.prepare('SELECT link, dir FROM snapshots').all() as { link: string; dir: string }[]) {
        const path = join(paths.links, link);
        let target: string | undefined;
        try {
          target = readlinkSync(path);
        } catch {
          target = undefined;
        }
        if (target !== `../snapshots/${dir}/fs`) {
          writeLink(ctx, link, dir);
          problems.push(`link l/${link} was missing or wrong: rewritten`);
        }
      }
      return sweepOrphans(ctx);
    })
    .immediate();
  const integrity = db.pragma('quick_check', { simple: true });
  if (integrity !== 'ok') problems.push(`meta.db: ${String(integrity)}`);
  await emptyTrash(ctx);
  return { problems, cleaned: [...released, ...cleaned], blobsChecked: names.length };
}

/** Layers that cannot be used: no snapshot dir, or an imported layer whose original blob is gone. */
function brokenLayers(ctx: StoreContext, problems: string[]): string[] {
  const rows = ctx.db
    .prepare(
      `SELECT l.chain_id, l.diff_id, l.reproducible, s.dir,
              (SELECT COUNT(*) FROM layer_blobs b WHERE b.diff_id = l.diff_id) AS variants
       FROM layers l LEFT JOIN snapshots s USING (chain_id)`,
    )
    .all() as { chain_id: string; diff_id: string; reproducible: number; dir: string | null; variants: number }[];
  const broken: string[] = [];
  for (const r of rows) {
    if (r.dir === null || !existsSync(join(ctx.paths.snapshots, r.dir, 'fs'))) {
      broken.push(r.chain_id);
      problems.push(`layer ${r.chain_id} has no snapshot dir`);
    } else if (!r.reproducible && r.variants === 0) {
      broken.push(r.chain_id);
      problems.push(`imported layer ${r.chain_id} lost its original blob, so it cannot be exported`);
    }
  }
  return broken;
}

/** Removes layers with everything built on them: layers above, images and cache records using them. */
function removeLayers(ctx: StoreContext, chainIds: string[], problems: string[]): void {
  if (chainIds.length === 0) return;
  const { db, paths } = ctx;
  db.exec('CREATE TEMP TABLE IF NOT EXISTS doomed (chain_id TEXT PRIMARY KEY) WITHOUT ROWID; DELETE FROM temp.doomed;');
  const add = db.prepare('INSERT OR IGNORE INTO temp.doomed VALUES (?)');
  chainIds.forEach((c) => add.run(c));
  db.exec(`INSERT OR IGNORE INTO temp.doomed
    WITH RECURSIVE above(chain_id) AS (
      SELECT chain_id FROM temp.doomed
      UNION SELECT l.chain_id FROM layers l JOIN above a ON l.parent = a.chain_id)
    SELECT chain_id FROM above`);
  const images = db.prepare('SELECT DISTINCT image_id FROM image_layers WHERE chain_id IN (SELECT chain_id FROM temp.doomed)').all() as {
    image_id: string;
  }[];
  for (const { image_id } of images) problems.push(`image ${image_id} uses a broken layer: image and its tags removed`);
  const dirs = db.prepare('SELECT dir, link FROM snapshots WHERE chain_id IN (SELECT chain_id FROM temp.doomed)').all() as { dir: string; link: string }[];
  for (const { dir, link } of dirs) {
    moveToTrash(paths.trash, join(paths.snapshots, dir));
    moveToTrash(paths.trash, join(paths.links, link));
  }
  db.exec(`
    DELETE FROM images WHERE id IN (SELECT image_id FROM image_layers WHERE chain_id IN (SELECT chain_id FROM temp.doomed));
    DELETE FROM cache_records WHERE chain_id IN (SELECT chain_id FROM temp.doomed);
    DELETE FROM lease_resources WHERE kind = 'snapshot' AND key IN (SELECT chain_id FROM temp.doomed);
    DELETE FROM snapshots WHERE chain_id IN (SELECT chain_id FROM temp.doomed);
    DELETE FROM layers WHERE chain_id IN (SELECT chain_id FROM temp.doomed);
  `);
}
