import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable, Transform, pipeline as pipe } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import pLimit from 'p-limit';
import { layerTarStream, MEDIA_TYPES, type Descriptor } from '../image/index.js';
import { commitBlob, hasBlob, ingest } from './blobs.js';
import type { StoreContext } from './context.js';
import { DigestMismatchError, StoreError } from './errors.js';
import { blobPathOf } from './paths.js';
import { snapshotDirOf } from './snapshots.js';

export type LayerCompression = 'none' | 'gzip';

/** A layer blob in the store: its descriptor and the file holding it. */
export interface LayerBlob extends Descriptor {
  path: string;
}

interface LayerRow {
  chain_id: string;
  diff_id: string;
  size: number;
  source_date_epoch: number | null;
  reproducible: number;
  whiteouts_first: number;
}

/** Finds a layer by chain ID or diff ID: any chain with that diff holds the same content. */
function findLayer(ctx: StoreContext, ref: string): LayerRow {
  const row = ctx.db
    .prepare(
      `SELECT chain_id, diff_id, size, source_date_epoch, reproducible, whiteouts_first FROM layers JOIN snapshots USING (chain_id)
       WHERE chain_id = ? OR diff_id = ? LIMIT 1`,
    )
    .get(ref, ref) as LayerRow | undefined;
  if (!row) throw new StoreError(`layer ${ref} is not in the store`);
  return row;
}

function variantOf(ctx: StoreContext, diffId: string, mediaType: string): Descriptor | undefined {
  const row = ctx.db.prepare('SELECT media_type, digest, size FROM layer_blobs WHERE diff_id = ? AND media_type = ?').get(diffId, mediaType) as
    { media_type: string; digest: string; size: number } | undefined;
  if (!row || !hasBlob(ctx, row.digest)) return undefined;
  return { mediaType: row.media_type, digest: row.digest, size: row.size };
}

function noop(): void {}

/** Fails the stream at its end when the bytes do not hash to `expected`, so no export ships a wrong layer. */
function verifying(expected: string): Transform {
  const hasher = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hasher.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const actual = `sha256:${hasher.digest('hex')}`;
      done(actual === expected ? null : new DigestMismatchError(`layer ${expected}`, expected, actual));
    },
  });
}

/**
 * The uncompressed tar of a layer, made from its snapshot (or, for a layer imported from another
 * tool's tar, from the kept original) and checked against the diff ID as it streams.
 */
export function layerTar(ctx: StoreContext, ref: string): { descriptor: Descriptor; stream: () => Readable } {
  const layer = findLayer(ctx, ref);
  ctx.leases.hold('snapshot', layer.chain_id);
  const descriptor: Descriptor = { mediaType: MEDIA_TYPES.ociLayer, digest: layer.diff_id, size: layer.size };
  const stream = (): Readable => {
    if (layer.reproducible) {
      const opts = {
        ...(layer.source_date_epoch === null ? {} : { sourceDateEpoch: layer.source_date_epoch }),
        ...(layer.whiteouts_first ? {} : { whiteoutsInNameOrder: true }),
      };
      return pipe(layerTarStream(snapshotDirOf(ctx, layer.chain_id), opts), verifying(layer.diff_id), noop);
    }
    const kept = variantOf(ctx, layer.diff_id, MEDIA_TYPES.ociLayer) ?? variantOf(ctx, layer.diff_id, MEDIA_TYPES.ociLayerGzip);
    if (!kept) throw new StoreError(`original blob of imported layer ${layer.diff_id} is missing; run 'tsbuild fsck'`);
    const file = createReadStream(blobPathOf(ctx.paths, kept.digest));
    return kept.mediaType === MEDIA_TYPES.ociLayerGzip
      ? pipe(file, createGunzip(), verifying(layer.diff_id), noop)
      : pipe(file, verifying(layer.diff_id), noop);
  };
  return { descriptor, stream };
}

/**
 * The blob of a layer in the asked compression, made on first use and remembered in layer_blobs.
 * Builds never wait on this: only exports and pushes ask for blobs.
 */
export async function layerBlob(ctx: StoreContext, ref: string, opts: { compression: LayerCompression }): Promise<LayerBlob> {
  const { descriptor, stream } = layerTar(ctx, ref);
  const mediaType = opts.compression === 'gzip' ? MEDIA_TYPES.ociLayerGzip : MEDIA_TYPES.ociLayer;
  const known = opts.compression === 'none' ? (hasBlob(ctx, descriptor.digest) ? descriptor : undefined) : variantOf(ctx, descriptor.digest, mediaType);
  if (known) {
    ctx.leases.hold('blob', known.digest);
    return { ...known, mediaType, path: blobPathOf(ctx.paths, known.digest) };
  }
  const source = opts.compression === 'gzip' ? pipe(stream(), createGzip(), noop) : stream();
  const ingested = await ingest(ctx, source);
  const expected = opts.compression === 'none' ? descriptor.digest : undefined;
  const made = commitBlob(ctx, ingested, { mediaType, ...(expected ? { expected } : {}) });
  // Two processes may gzip the same diff; the first row wins and both return it.
  const winner = ctx.db
    .transaction(() => {
      ctx.db
        .prepare('INSERT OR IGNORE INTO layer_blobs (diff_id, media_type, digest, size) VALUES (?, ?, ?, ?)')
        .run(descriptor.digest, mediaType, made.digest, made.size);
      return variantOf(ctx, descriptor.digest, mediaType) ?? made;
    })
    .immediate();
  ctx.leases.hold('blob', winner.digest);
  return { ...winner, mediaType, path: blobPathOf(ctx.paths, winner.digest) };
}

/** Blobs for several layers, two at a time: compression is CPU bound and there are two cores. */
export async function layerBlobs(ctx: StoreContext, refs: readonly string[], opts: { compression: LayerCompression }): Promise<LayerBlob[]> {
  const limit = pLimit(2);
  return Promise.all(refs.map((ref) => limit(() => layerBlob(ctx, ref, opts))));
}
