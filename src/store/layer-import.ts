import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline as pipe, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { applyLayer, digestLayerDir, MEDIA_TYPES } from '../image/index.js';
import { commitBlob, DigestStream } from './blobs.js';
import type { StoreContext } from './context.js';
import { DigestMismatchError, StoreError } from './errors.js';
import { tempName } from '../fs/index.js';
import { chainIdOf, getLayer, makeTempDir, publishLayerDir, requireLayer, type LayerInfo } from './snapshots.js';

export interface ApplyLayerOptions {
  /** Chain ID of the layer below, or null for a base layer. */
  parent: string | null;
  /** The layer tar, plain or gzip. */
  tar: Readable;
  /** Digest of the bytes as given (a registry or OCI descriptor); checked before anything is unpacked. */
  expectedDigest?: string;
  /** Digest of the uncompressed tar (the image config's diff_ids entry); checked after unpacking. */
  expectedDiffId?: string;
  /** Keep the bytes as given as a blob even when our own tar of the layer reproduces them. */
  keepBlob?: boolean;
}

type Compression = 'none' | 'gzip';

function noop(): void {}

/**
 * Reads a stream to its end. applyLayer may stop at the end-of-archive marker, but the diff ID
 * covers every byte after it too; a stream destroyed before its end cannot be hashed whole.
 */
function drained(stream: Readable): Promise<void> {
  if (stream.readableEnded) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('end', resolve);
    stream.on('close', () => {
      if (!stream.readableEnded) reject(new StoreError('layer stream closed before its end'));
    });
    stream.resume();
  });
}

async function sniffCompression(path: string, what: string): Promise<Compression> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    const magic = buffer.subarray(0, bytesRead);
    if (magic[0] === 0x1f && magic[1] === 0x8b) return 'gzip';
    if (magic.equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) {
      throw new StoreError(`${what}: zstd-compressed layers are not supported; recompress it with gzip`);
    }
    return 'none';
  } finally {
    await handle.close();
  }
}

/**
 * Unpacks a layer tar (import, load, pull) onto `parent` as a new snapshot, through applyLayer's
 * safe extraction. The bytes land in ingest/ first so a bad digest stops before any parsing.
 * When our own deterministic tar of the result hashes differently from the original (a tar
 * written by another tool), the original is kept as a blob: exports must give back its bytes.
 */
export async function applyLayerToSnapshot(ctx: StoreContext, opts: ApplyLayerOptions): Promise<LayerInfo> {
  if (opts.parent !== null) requireLayer(ctx, opts.parent);
  if (opts.expectedDiffId !== undefined && !opts.keepBlob) {
    const known = getLayer(ctx, chainIdOf(opts.parent, opts.expectedDiffId));
    if (known) {
      opts.tar.destroy();
      return publishKnown(ctx, known);
    }
  }
  mkdirSync(ctx.paths.ingest, { recursive: true });
  const rawPath = join(ctx.paths.ingest, tempName());
  let dir: string | undefined;
  let source: Readable | undefined;
  let rawKept = false;
  try {
    const raw = new DigestStream();
    await pipeline(opts.tar, raw, createWriteStream(rawPath));
    const digest = raw.digest();
    if (opts.expectedDigest !== undefined && opts.expectedDigest !== digest) {
      throw new DigestMismatchError('layer blob', opts.expectedDigest, digest);
    }
    const compression = await sniffCompression(rawPath, `layer ${digest}`);
    const plain = new DigestStream();
    source = createReadStream(rawPath);
    // Callback pipeline: any stage failing destroys `plain` with the error, which applyLayer sees.
    const stages = compression === 'gzip' ? pipe(source, createGunzip(), plain, noop) : pipe(source, plain, noop);
    dir = makeTempDir(ctx);
    await applyLayer(stages, dir);
    await drained(plain);
    const diffId = plain.digest();
    if (opts.expectedDiffId !== undefined && opts.expectedDiffId !== diffId) {
      throw new DigestMismatchError('layer diff id', opts.expectedDiffId, diffId);
    }
    const existing = getLayer(ctx, chainIdOf(opts.parent, diffId));
    if (existing && !opts.keepBlob) return publishKnown(ctx, existing);
    const ours = await digestLayerDir(dir);
    const reproducible = ours.diffId === diffId;
    let variant: { mediaType: string; digest: string; size: number } | undefined;
    if (!reproducible || opts.keepBlob) {
      const mediaType = compression === 'gzip' ? MEDIA_TYPES.ociLayerGzip : MEDIA_TYPES.ociLayer;
      const handle = await open(rawPath, 'r');
      await handle.sync().finally(() => handle.close());
      variant = commitBlob(ctx, { tempPath: rawPath, digest, size: raw.size }, { mediaType });
      rawKept = true;
    }
    return await publishLayerDir(ctx, {
      parent: opts.parent,
      dir,
      diffId,
      size: plain.size,
      reproducible,
      ...(variant ? { variant } : {}),
    });
  } finally {
    source?.destroy();
    if (!rawKept) await rm(rawPath, { force: true });
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/** A layer we have already: the current lease must still hold it, or prune could take it mid-load. */
function publishKnown(ctx: StoreContext, layer: LayerInfo): LayerInfo {
  ctx.leases.hold('snapshot', layer.chainId);
  return layer;
}
