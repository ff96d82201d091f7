import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { digestLayerDir } from '../image/index.js';
import type { StoreContext } from './context.js';
import { StoreError } from './errors.js';
import { fsyncDir, moveToTrash, tempName } from '../fs/index.js';
import { digestHex } from './paths.js';
import { sha256Digest } from '../fs/index.js';

/** A layer as the solver sees it: where it sits in a chain and what its tar hashes to. */
export interface LayerInfo {
  chainId: string;
  diffId: string;
  /** Size of the uncompressed layer tar in bytes. */
  size: number;
  parent: string | null;
}

/** OCI chain ID: the diff ID for a base layer, else sha256Digest(parent chain ID + " " + diff ID). */
export function chainIdOf(parent: string | null, diffId: string): string {
  return parent === null ? diffId : sha256Digest(`${parent} ${diffId}`);
}

export function chainIdsOf(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) out.push(chainIdOf(out.at(-1) ?? null, diffId));
  return out;
}

/** 16 hex chars keep `lowerdir=l/A:l/B:…` under the one-page mount data limit for 200+ layers. */
function linkNameOf(chainId: string): string {
  return digestHex(chainId).slice(0, 16);
}

export function snapshotDirOf(ctx: StoreContext, chainId: string): string {
  return join(ctx.paths.snapshots, digestHex(chainId), 'fs');
}

/** A fresh empty directory on the store's filesystem, for a layer that will be committed by rename. */
export function makeTempDir(ctx: StoreContext): string {
  mkdirSync(ctx.paths.tmp, { recursive: true });
  const dir = join(ctx.paths.tmp, tempName());
  mkdirSync(dir);
  return dir;
}

export function getLayer(ctx: StoreContext, chainId: string): LayerInfo | undefined {
  const row = ctx.db
    .prepare(
      `SELECT l.chain_id, l.diff_id, l.size, l.parent FROM layers l JOIN snapshots s USING (chain_id)
       WHERE l.chain_id = ?`,
    )
    .get(chainId) as { chain_id: string; diff_id: string; size: number; parent: string | null } | undefined;
  return row && { chainId: row.chain_id, diffId: row.diff_id, size: row.size, parent: row.parent };
}

export function requireLayer(ctx: StoreContext, chainId: string): LayerInfo {
  const layer = getLayer(ctx, chainId);
  if (!layer) throw new StoreError(`layer ${chainId} is not in the store`);
  return layer;
}

export interface PublishLayerOptions {
  parent: string | null;
  /** A finished overlay-format layer dir on the store's filesystem; it is moved or deleted. */
  dir: string;
  diffId: string;
  size: number;
  sourceDateEpoch?: number;
  reproducible: boolean;
  /** Blob to record as a variant of this diff (the original of an imported tar). */
  variant?: { mediaType: string; digest: string; size: number };
}

/**
 * Moves a layer dir into snapshots/ and records it, under the write lock. When the chain exists
 * already (another build or process got there first) the dir is discarded and the existing one
 * is used: both callers succeed with one copy.
 */
export async function publishLayerDir(ctx: StoreContext, opts: PublishLayerOptions): Promise<LayerInfo> {
  if (opts.parent !== null) requireLayer(ctx, opts.parent);
  const chainId = chainIdOf(opts.parent, opts.diffId);
  const hex = digestHex(chainId);
  const wrapper = makeTempDir(ctx);
  try {
    renameSync(opts.dir, join(wrapper, 'fs'));
  } catch (err) {
    rmSync(wrapper, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'EXDEV' ? ': it must be on the store filesystem (use store.makeTempDir())' : '';
    throw new StoreError(`cannot commit layer dir ${opts.dir}${hint}`, { cause: err });
  }
  let published = false;
  const now = Date.now();
  const publish = ctx.db.transaction(() => {
    const exists = ctx.db.prepare('UPDATE snapshots SET last_used = ? WHERE chain_id = ?').run(now, chainId);
    if (exists.changes === 0) {
      const target = join(ctx.paths.snapshots, hex);
      mkdirSync(ctx.paths.snapshots, { recursive: true });
      // A dir without a row is what a process killed between rename and commit leaves behind.
      if (existsSync(target)) moveToTrash(ctx.paths.trash, target);
      renameSync(wrapper, target);
      const link = linkNameOf(chainId);
      writeLink(ctx, link, hex, { sync: false });
      // Both renames are made durable before the rows commit. Syncing the two directories
      // after both renames (not one after each) lets one journal commit carry both.
      fsyncDir(ctx.paths.snapshots);
      fsyncDir(ctx.paths.links);
      ctx.db
        .prepare(
          `INSERT OR REPLACE INTO layers (chain_id, diff_id, parent, size, source_date_epoch, reproducible, whiteouts_first, created)
           VALUES (?, ?, ?, ?, ?, ?, 1, ?)`,
        )
        .run(chainId, opts.diffId, opts.parent, opts.size, opts.sourceDateEpoch ?? null, opts.reproducible ? 1 : 0, now);
      ctx.db.prepare('INSERT INTO snapshots (chain_id, dir, link, created, last_used) VALUES (?, ?, ?, ?, ?)').run(chainId, hex, link, now, now);
      published = true;
    }
    if (opts.variant) {
      ctx.db
        .prepare('INSERT OR IGNORE INTO layer_blobs (diff_id, media_type, digest, size) VALUES (?, ?, ?, ?)')
        .run(opts.diffId, opts.variant.mediaType, opts.variant.digest, opts.variant.size);
    }
    ctx.leases.hold('snapshot', chainId);
  });
  try {
    publish.immediate();
  } finally {
    // Still there when the chain existed already or the commit failed; moved into place otherwise.
    if (!published) await rm(wrapper, { recursive: true, force: true });
  }
  return requireLayer(ctx, chainId);
}

/** l/<short> → ../snapshots/<hex>/fs, made under a temp name and renamed so it is never half there. */
export function writeLink(ctx: StoreContext, link: string, hex: string, opts: { sync: boolean } = { sync: true }): void {
  mkdirSync(ctx.paths.links, { recursive: true });
  const temp = join(ctx.paths.links, `.${tempName()}`);
  symlinkSync(`../snapshots/${hex}/fs`, temp);
  renameSync(temp, join(ctx.paths.links, link));
  // sync: false is for callers that fsync the links dir themselves before they commit.
  if (opts.sync) fsyncDir(ctx.paths.links);
}

export interface CommitSnapshotOptions {
  /** Chain ID of the layer below, or null for a base layer. */
  parent: string | null;
  /** A finished overlay-format layer dir (RUN upper dir, COPY output) on the store filesystem; consumed. */
  dir: string;
  /** Clamp mtimes in the layer tar (and so the diff ID) to this time, in seconds. */
  sourceDateEpoch?: number;
}

/** Records a layer dir as a snapshot; its diff ID is the digest of its deterministic tar. */
export async function commitSnapshot(ctx: StoreContext, opts: CommitSnapshotOptions): Promise<LayerInfo> {
  if (opts.parent !== null) requireLayer(ctx, opts.parent);
  const tarOpts = opts.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: opts.sourceDateEpoch };
  const { diffId, size } = await digestLayerDir(opts.dir, tarOpts);
  return publishLayerDir(ctx, { ...opts, diffId, size, reproducible: true });
}

/** Overlay lowerdirs for a chain, relative to the store root, topmost first. */
export function lowerdirs(ctx: StoreContext, chainId: string): string[] {
  const rows = ctx.db
    .prepare(
      `WITH RECURSIVE chain(chain_id, parent, depth) AS (
         SELECT chain_id, parent, 0 FROM layers WHERE chain_id = ?
         UNION ALL SELECT l.chain_id, l.parent, c.depth + 1 FROM layers l JOIN chain c ON l.chain_id = c.parent)
       SELECT c.chain_id, s.link FROM chain c LEFT JOIN snapshots s USING (chain_id) ORDER BY c.depth`,
    )
    .all(chainId) as { chain_id: string; link: string | null }[];
  if (rows.length === 0) throw new StoreError(`layer ${chainId} is not in the store`);
  const missing = rows.find((r) => r.link === null);
  if (missing) throw new StoreError(`snapshot of layer ${missing.chain_id} is missing; run 'tsbuild fsck'`);
  ctx.db.transaction(() => {
    ctx.db.prepare('UPDATE snapshots SET last_used = ? WHERE chain_id = ?').run(Date.now(), chainId);
    ctx.leases.hold('snapshot', chainId);
  })();
  return rows.map((r) => `l/${r.link}`);
}
