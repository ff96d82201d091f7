import { MEDIA_TYPES, type ImageConfig, type ImageManifest, familiarReference, normalizeTagName, parseReference } from '../image/index.js';
import { formatPlatform, type Platform } from '../platform.js';
import { sha256Digest } from '../fs/index.js';
import { existsSync } from 'node:fs';
import { readBlobSync, writeBlob } from './blobs.js';
import { blobPathOf } from './paths.js';
import type { StoreContext } from './context.js';
import { ImageNotFoundError, StoreError } from './errors.js';
import { memberFor, nameMembers, platformOfImage, setNameMembers } from './platform-names.js';
import { requireLayer } from './snapshots.js';

export interface PutImageOptions {
  /**
   * The image config. As an object, its rootfs.diff_ids are filled from `layers`; as bytes
   * (a loaded or pulled config) it is stored unchanged, so the image ID stays the same,
   * and its diff_ids must match `layers`.
   */
  config: ImageConfig | Uint8Array;
  /** Chain IDs of the layers, base first (each chain ID names its whole stack). */
  layers: readonly string[];
  /** Annotations of the manifest (`--annotation`). */
  annotations?: Record<string, string>;
}

export interface ResolvedImage {
  /** Config digest. */
  id: string;
  manifestDigest: string;
  config: ImageConfig;
  manifest: ImageManifest;
  /** Chain IDs, base first. */
  chainIds: string[];
  /** Full normalized names, e.g. docker.io/library/busybox:latest. */
  tags: string[];
  /** When the image was first stored (ms since epoch). */
  created: number;
}

export interface ImageSummary {
  id: string;
  manifestDigest: string;
  tags: string[];
  created: number;
  /** Sum of the uncompressed layer sizes in bytes. */
  size: number;
}

/**
 * Stores an image: config and manifest blobs, then the image row, in that order, so a row
 * never points at a missing blob. Layers go in the manifest uncompressed; compressed blobs
 * are made when an export asks for them. An image stored before with the same manifest (a
 * no-op rebuild) is only held on the current lease: nothing is written again.
 */
export async function putImage(ctx: StoreContext, opts: PutImageOptions): Promise<{ id: string; manifestDigest: string; manifestSize: number }> {
  const layers = opts.layers.map((chainId) => requireLayer(ctx, chainId));
  const diffIds = layers.map((l) => l.diffId);
  let configBytes: Buffer;
  if (opts.config instanceof Uint8Array) {
    configBytes = Buffer.from(opts.config);
    const given = (JSON.parse(configBytes.toString('utf8')) as ImageConfig).rootfs?.diff_ids ?? [];
    if (given.length !== diffIds.length || given.some((d, i) => d !== diffIds[i])) {
      throw new StoreError('image config rootfs.diff_ids do not match the layers given');
    }
  } else {
    configBytes = Buffer.from(JSON.stringify({ ...opts.config, rootfs: { type: 'layers', diff_ids: diffIds } }));
  }
  const configDigest = sha256Digest(configBytes);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: MEDIA_TYPES.ociConfig, digest: configDigest, size: configBytes.length },
    layers: layers.map((l) => ({ mediaType: MEDIA_TYPES.ociLayer, digest: l.diffId, size: l.size })),
    ...(opts.annotations && Object.keys(opts.annotations).length > 0 ? { annotations: opts.annotations } : {}),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestDigest = sha256Digest(manifestBytes);
  const stored = { id: configDigest, manifestDigest, manifestSize: manifestBytes.length };
  if (holdIfStored(ctx, stored)) return stored;
  return ctx.leases.withLease(async () => {
    const config = await writeBlob(ctx, configBytes, { mediaType: MEDIA_TYPES.ociConfig });
    const written = await writeBlob(ctx, manifestBytes, { mediaType: MEDIA_TYPES.ociManifest });
    ctx.db
      .transaction(() => {
        const insert = ctx.db
          .prepare('INSERT OR IGNORE INTO images (id, manifest_digest, created) VALUES (?, ?, ?)')
          .run(config.digest, written.digest, Date.now());
        // A rebuilt image (same config) takes the manifest it was built with now: its annotations may differ.
        if (insert.changes === 0 && !(opts.config instanceof Uint8Array)) {
          ctx.db.prepare('UPDATE images SET manifest_digest = ? WHERE id = ?').run(written.digest, config.digest);
        }
        if (insert.changes > 0) {
          const addLayer = ctx.db.prepare('INSERT INTO image_layers (image_id, idx, chain_id) VALUES (?, ?, ?)');
          opts.layers.forEach((chainId, idx) => addLayer.run(config.digest, idx, chainId));
        }
        ctx.leases.hold('image', config.digest);
      })
      .immediate();
    return stored;
  });
}

/**
 * Holds an image already stored with this manifest, its blobs in place, on the current lease
 * (which keeps both blobs too); false when anything of it is missing or differs.
 */
function holdIfStored(ctx: StoreContext, image: { id: string; manifestDigest: string }): boolean {
  const has = (digest: string): boolean => existsSync(blobPathOf(ctx.paths, digest));
  if (!has(image.id) || !has(image.manifestDigest)) return false;
  return ctx.db
    .transaction((): boolean => {
      const row = ctx.db.prepare('SELECT manifest_digest FROM images WHERE id = ?').get(image.id) as { manifest_digest: string } | undefined;
      if (row?.manifest_digest !== image.manifestDigest) return false;
      const blobs = ctx.db.prepare('SELECT count(*) AS n FROM blobs WHERE digest IN (?, ?)').get(image.id, image.manifestDigest) as { n: number };
      if (blobs.n !== 2) return false;
      ctx.leases.hold('image', image.id);
      return true;
    })
    .immediate();
}

const ID_RE = /^(?:sha256:)?([0-9a-f]{1,64})$/;

/** Finds an image ID by name (`busybox` ≡ `busybox:latest`), `name@digest`, or full or short ID. */
export function findImageId(ctx: StoreContext, ref: string): string | undefined {
  let named: string | undefined;
  try {
    const parsed = parseReference(ref);
    if (parsed.digest !== undefined) {
      const row = ctx.db.prepare('SELECT id FROM images WHERE manifest_digest = ? OR id = ?').get(parsed.digest, parsed.digest) as
        { id: string } | undefined;
      return row?.id ?? pinnedImageId(ctx, parsed.digest, 0);
    }
    named = normalizeTagName(ref);
  } catch {
    // Not a valid name (e.g. "sha256:…"): it can still be an ID.
  }
  if (named !== undefined) {
    const row = ctx.db.prepare('SELECT image_id FROM tags WHERE name = ?').get(named) as { image_id: string } | undefined;
    if (row) return row.image_id;
  }
  const hex = ID_RE.exec(ref)?.[1];
  if (hex === undefined) return undefined;
  const rows = ctx.db.prepare(`SELECT id FROM images WHERE id LIKE ? LIMIT 2`).all(`sha256:${hex}%`) as { id: string }[];
  if (rows.length > 1) throw new StoreError(`short ID "${ref}" is ambiguous: give more digits`);
  return rows[0]?.id;
}

/**
 * The image behind a registry's manifest or index digest: `pull repo@sha256:…` keeps those
 * documents as blobs (the store's own manifest of the image differs), so follow them to the
 * config digest, which is the image ID. Of an index only the pulled platform's manifest is
 * kept, so the first entry that resolves is the one.
 */
function pinnedImageId(ctx: StoreContext, digest: string, depth: number): string | undefined {
  if (depth > 2 || !ctx.db.prepare('SELECT 1 FROM blobs WHERE digest = ?').get(digest)) return undefined;
  let doc: { manifests?: { digest?: unknown }[]; config?: { digest?: unknown } };
  try {
    doc = JSON.parse(readBlobSync(ctx, digest).toString('utf8'));
  } catch {
    return undefined;
  }
  if (Array.isArray(doc.manifests)) {
    for (const m of doc.manifests) {
      const id = typeof m?.digest === 'string' ? pinnedImageId(ctx, m.digest, depth + 1) : undefined;
      if (id !== undefined) return id;
    }
    return undefined;
  }
  const id = doc.config?.digest;
  if (typeof id !== 'string') return undefined;
  return (ctx.db.prepare('SELECT id FROM images WHERE id = ?').get(id) as { id: string } | undefined)?.id;
}

function tagsOf(ctx: StoreContext, id: string): string[] {
  return (ctx.db.prepare('SELECT name FROM tags WHERE image_id = ? ORDER BY name').all(id) as { name: string }[]).map((r) => r.name);
}

/** The image a name or ID refers to, with its config and manifest read (and verified) from blobs. */
export function resolveImage(ctx: StoreContext, ref: string): ResolvedImage | null {
  const id = findImageId(ctx, ref);
  if (id === undefined) return null;
  const row = ctx.db.prepare('SELECT manifest_digest, created FROM images WHERE id = ?').get(id) as
    { manifest_digest: string; created: number } | undefined;
  if (!row) return null;
  ctx.leases.hold('image', id);
  const chainIds = (ctx.db.prepare('SELECT chain_id FROM image_layers WHERE image_id = ? ORDER BY idx').all(id) as { chain_id: string }[]).map(
    (r) => r.chain_id,
  );
  const config = JSON.parse(readBlobSync(ctx, id).toString('utf8')) as ImageConfig;
  const manifest = JSON.parse(readBlobSync(ctx, row.manifest_digest).toString('utf8')) as ImageManifest;
  return { id, manifestDigest: row.manifest_digest, config, manifest, chainIds, tags: tagsOf(ctx, id), created: row.created };
}

/**
 * The image `ref` gives for `platform`: a name holding several platforms gives that platform's
 * image, a name holding one gives it when it runs there; an ID or digest gives its image as it
 * is. When there is none, `held` lists the platforms the name does hold.
 */
export function resolveImageFor(ctx: StoreContext, ref: string, platform: Platform): { image: ResolvedImage | null; held: string[] } {
  const name = tagNameOf(ref);
  const members = name === undefined ? [] : nameMembers(ctx, name);
  if (members.length === 0) return { image: resolveImage(ctx, ref), held: [] };
  const member = memberFor(members, platform);
  return { image: member ? resolveImage(ctx, member.id) : null, held: members.map((m) => m.platform) };
}

/** The images a name holds, one per platform, in index order ([] when it names nothing). */
export function imagesOfName(ctx: StoreContext, ref: string): { platform: string; image: ResolvedImage }[] {
  const name = tagNameOf(ref);
  if (name === undefined) return [];
  return nameMembers(ctx, name).flatMap((m) => {
    const image = resolveImage(ctx, m.id);
    return image ? [{ platform: m.platform, image }] : [];
  });
}

function tagNameOf(ref: string): string | undefined {
  try {
    return normalizeTagName(ref);
  } catch {
    return undefined;
  }
}

/** Points a name at an image, moving it from any image it named before. Returns the normalized name. */
export function tag(ctx: StoreContext, name: string, id: string): string {
  const normalized = normalizeTagName(name);
  // A name that already holds just this image (a rebuild): nothing to write.
  const current = ctx.db.prepare('SELECT image_id FROM tags WHERE name = ?').get(normalized) as { image_id: string } | undefined;
  if (current?.image_id === id && !ctx.db.prepare('SELECT 1 FROM name_platforms WHERE name = ?').get(normalized)) return normalized;
  return setNameMembers(ctx, name, [{ platform: platformOfImage(ctx, id), id }]);
}

/** Removes a name; true when it existed. */
export function untag(ctx: StoreContext, name: string): boolean {
  const normalized = normalizeTagName(name);
  ctx.db.prepare('DELETE FROM name_platforms WHERE name = ?').run(normalized);
  return ctx.db.prepare('DELETE FROM tags WHERE name = ?').run(normalized).changes > 0;
}

export function listImages(ctx: StoreContext): ImageSummary[] {
  const rows = ctx.db
    .prepare(
      `SELECT i.id, i.manifest_digest, i.created,
              (SELECT COALESCE(SUM(l.size), 0) FROM image_layers il JOIN layers l USING (chain_id) WHERE il.image_id = i.id) AS size
       FROM images i ORDER BY i.created DESC, i.id`,
    )
    .all() as { id: string; manifest_digest: string; created: number; size: number }[];
  return rows.map((r) => ({ id: r.id, manifestDigest: r.manifest_digest, tags: tagsOf(ctx, r.id), created: r.created, size: r.size }));
}

export interface RemoveImageResult {
  untagged: string[];
  /** IDs of the images whose rows were deleted (their content goes at the next prune). */
  deleted: string[];
}

/**
 * `rmi`: a name removes that tag (with every platform it holds, or only `platform`'s), and each
 * image once no name is left on it; an ID removes the image with all its tags, which needs
 * `force` when several names point at it (as Docker does).
 */
export function removeImage(ctx: StoreContext, ref: string, opts: { force?: boolean; platform?: Platform } = {}): RemoveImageResult {
  if (opts.platform) return removePlatform(ctx, ref, opts.platform);
  const id = findImageId(ctx, ref);
  if (id === undefined) throw new ImageNotFoundError(ref);
  const name = tagNameOf(ref);
  const members = name === undefined ? [] : nameMembers(ctx, name).map((m) => m.id);
  return ctx.db
    .transaction((): RemoveImageResult => {
      const tags = tagsOf(ctx, id);
      if (name !== undefined && tags.includes(name)) {
        untag(ctx, name);
        return { untagged: [name], deleted: members.filter((m) => deleteIfUnnamed(ctx, m)) };
      }
      if (tags.length > 1 && !opts.force) {
        throw new StoreError(`image ${id} is tagged ${tags.map((t) => familiarReference(parseReference(t))).join(', ')}: remove the names or use --force`);
      }
      ctx.db.prepare('DELETE FROM images WHERE id = ?').run(id);
      return { untagged: tags, deleted: [id] };
    })
    .immediate();
}

/** `rmi --platform P NAME`: takes that platform's image out of the name; the rest stay. */
function removePlatform(ctx: StoreContext, ref: string, platform: Platform): RemoveImageResult {
  const name = tagNameOf(ref);
  const members = name === undefined ? [] : nameMembers(ctx, name);
  if (name === undefined || members.length === 0) throw new ImageNotFoundError(ref);
  const member = memberFor(members, platform);
  if (!member) {
    throw new StoreError(`${ref} holds no ${formatPlatform(platform)} image (it holds ${members.map((m) => m.platform).join(', ')})`);
  }
  return ctx.db
    .transaction((): RemoveImageResult => {
      const rest = members.filter((m) => m !== member);
      if (rest.length > 0) setNameMembers(ctx, name, rest);
      else untag(ctx, name);
      return { untagged: [name], deleted: deleteIfUnnamed(ctx, member.id) ? [member.id] : [] };
    })
    .immediate();
}

/** Deletes an image no name refers to any more; true when it did. */
function deleteIfUnnamed(ctx: StoreContext, id: string): boolean {
  const named = ctx.db.prepare('SELECT 1 FROM tags WHERE image_id = ? UNION SELECT 1 FROM name_platforms WHERE image_id = ?').get(id, id);
  return named === undefined && ctx.db.prepare('DELETE FROM images WHERE id = ?').run(id).changes > 0;
}
