import { existsSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { StoreContext } from './context.js';
import { moveToTrash, ownerIsAlive } from '../fs/index.js';
import { markLive } from './reachability.js';
import { mountsUnder, unmountStale } from './stale.js';

export interface CollectResult {
  layers: number;
  blobs: number;
  /** Files and dirs no row points at: leftovers of killed processes. */
  orphans: string[];
  reclaimedBytes: number;
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Removes what nothing live refers to: layers with their snapshots and links, blobs, and files
 * with no row. Runs inside the caller's write transaction; since every commit renames its file
 * into place under that same lock, a file without a row here really is a leftover.
 * Content moves to trash/ (atomic) and is deleted later by emptyTrash.
 */
export function collectGarbage(ctx: StoreContext): CollectResult {
  const { db, paths } = ctx;
  markLive(db);
  const deadLayers = db
    .prepare(
      `SELECT l.chain_id, l.size, s.dir, s.link FROM layers l LEFT JOIN snapshots s USING (chain_id)
       WHERE l.chain_id NOT IN (SELECT chain_id FROM temp.live_chains)`,
    )
    .all() as { chain_id: string; size: number; dir: string | null; link: string | null }[];
  let reclaimedBytes = 0;
  for (const layer of deadLayers) {
    if (layer.link) rmSync(join(paths.links, layer.link), { force: true });
    if (layer.dir) moveToTrash(paths.trash, join(paths.snapshots, layer.dir));
    reclaimedBytes += layer.size;
  }
  db.exec(`
    DELETE FROM snapshots WHERE chain_id NOT IN (SELECT chain_id FROM temp.live_chains);
    DELETE FROM layers WHERE chain_id NOT IN (SELECT chain_id FROM temp.live_chains);
    DELETE FROM layer_blobs WHERE diff_id NOT IN (SELECT diff_id FROM layers);
  `);
  markLive(db);
  const deadBlobs = db.prepare('SELECT digest, size FROM blobs WHERE digest NOT IN (SELECT digest FROM temp.live_blobs)').all() as {
    digest: string;
    size: number;
  }[];
  for (const blob of deadBlobs) {
    moveToTrash(paths.trash, join(paths.blobs, blob.digest.slice('sha256:'.length)));
    reclaimedBytes += blob.size;
  }
  db.exec('DELETE FROM blobs WHERE digest NOT IN (SELECT digest FROM temp.live_blobs)');
  const orphans = sweepOrphans(ctx);
  return { layers: deadLayers.length, blobs: deadBlobs.length, orphans, reclaimedBytes };
}

/** Files and dirs without rows, links to nothing, and temp files of dead processes. Call under the write lock. */
export function sweepOrphans(ctx: StoreContext): string[] {
  const { db, paths } = ctx;
  const removed: string[] = [];
  const blobRows = new Set((db.prepare('SELECT digest FROM blobs').all() as { digest: string }[]).map((r) => r.digest.slice(7)));
  for (const name of list(paths.blobs)) {
    if (!blobRows.has(name)) {
      moveToTrash(paths.trash, join(paths.blobs, name));
      removed.push(`blobs/sha256/${name}`);
    }
  }
  const snapshotRows = new Set((db.prepare('SELECT dir FROM snapshots').all() as { dir: string }[]).map((r) => r.dir));
  for (const name of list(paths.snapshots)) {
    if (!snapshotRows.has(name)) {
      moveToTrash(paths.trash, join(paths.snapshots, name));
      removed.push(`snapshots/${name}`);
    }
  }
  const linkRows = new Set((db.prepare('SELECT link FROM snapshots').all() as { link: string }[]).map((r) => r.link));
  for (const name of list(paths.links)) {
    const path = join(paths.links, name);
    // Temp links (".<pid>-…") belong to a commit in progress unless their process died.
    if (name.startsWith('.') ? !ownerIsAlive(name.slice(1)) : !linkRows.has(name) || !existsSync(path)) {
      unlinkSync(path);
      removed.push(`l/${name}`);
    }
  }
  const cacheMountRows = new Set((db.prepare('SELECT dir FROM cache_mounts').all() as { dir: string }[]).map((r) => r.dir));
  for (const name of list(paths.cacheMounts)) {
    if (!cacheMountRows.has(name)) {
      moveToTrash(paths.trash, join(paths.cacheMounts, name));
      removed.push(`cache-mounts/${name}`);
    }
  }
  for (const [dir, label] of [
    [paths.ingest, 'ingest'],
    [paths.tmp, 'tmp'],
  ] as const) {
    for (const name of list(dir)) {
      if (!ownerIsAlive(name)) {
        moveToTrash(paths.trash, join(dir, name));
        removed.push(`${label}/${name}`);
      }
    }
  }
  return removed;
}

/**
 * Deletes what earlier passes moved to trash/, outside any transaction (it can take long).
 * A view a killed build left mounted may have been moved here with its dir: it is unmounted
 * first, and an entry that still holds a mount is kept, so nothing is deleted through one.
 */
export async function emptyTrash(ctx: StoreContext): Promise<void> {
  const names = list(ctx.paths.trash);
  if (names.length > 0) unmountStale(dirname(ctx.paths.trash));
  for (const name of names) {
    const path = join(ctx.paths.trash, name);
    if (mountsUnder(path).length > 0) continue;
    await rm(path, { recursive: true, force: true, maxRetries: 2 });
  }
}
