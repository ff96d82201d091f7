import { sha256Digest } from '../fs/index.js';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Descriptor } from '../image/index.js';
import type { StoreContext } from './context.js';
import { DigestMismatchError, StoreError } from './errors.js';
import { fsyncDir, tempName } from '../fs/index.js';
import { blobPathOf } from './paths.js';

/** A blob written and fsynced under ingest/, not yet visible in the store. */
export interface IngestedBlob {
  tempPath: string;
  digest: string;
  size: number;
}

/** A pass-through stream that hashes and counts what flows through it. */
export class DigestStream extends Transform {
  readonly #hash = createHash('sha256');
  size = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }

  digest(): string {
    return `sha256:${this.#hash.digest('hex')}`;
  }
}

/** Writes content to its own file under ingest/ and fsyncs it; the name carries our pid for cleanup. */
export async function ingest(ctx: StoreContext, source: Readable | Uint8Array): Promise<IngestedBlob> {
  mkdirSync(ctx.paths.ingest, { recursive: true });
  const tempPath = join(ctx.paths.ingest, tempName());
  const hasher = new DigestStream();
  try {
    const input = source instanceof Readable ? source : Readable.from([Buffer.from(source)]);
    await pipeline(input, hasher, createWriteStream(tempPath));
    const handle = await open(tempPath, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    rmSync(tempPath, { force: true });
    throw err;
  }
  return { tempPath, digest: hasher.digest(), size: hasher.size };
}

export function discardIngested(blob: IngestedBlob): void {
  rmSync(blob.tempPath, { force: true });
}

/**
 * Verifies an ingested blob and publishes it: rename into blobs/sha256, fsync the directory,
 * insert the row, all under the write lock so prune never sees a file without its row.
 * Committing a blob that exists already is a no-op (the copy is dropped).
 */
export function commitBlob(ctx: StoreContext, blob: IngestedBlob, opts: { mediaType: string; expected?: string }): Descriptor {
  if (opts.expected !== undefined && opts.expected !== blob.digest) {
    discardIngested(blob);
    throw new DigestMismatchError('blob', opts.expected, blob.digest);
  }
  const final = blobPathOf(ctx.paths, blob.digest);
  ctx.db
    .transaction(() => {
      const row = ctx.db.prepare('SELECT 1 FROM blobs WHERE digest = ?').get(blob.digest);
      if (row && existsSync(final)) {
        discardIngested(blob);
      } else {
        mkdirSync(ctx.paths.blobs, { recursive: true });
        renameSync(blob.tempPath, final);
        fsyncDir(ctx.paths.blobs);
        ctx.db
          .prepare('INSERT OR REPLACE INTO blobs (digest, size, media_type, created) VALUES (?, ?, ?, ?)')
          .run(blob.digest, blob.size, opts.mediaType, Date.now());
      }
      ctx.leases.hold('blob', blob.digest);
    })
    .immediate();
  return { mediaType: opts.mediaType, digest: blob.digest, size: blob.size };
}

/** Stores content as a blob; bytes already stored are not written again. */
export async function writeBlob(ctx: StoreContext, data: Readable | Uint8Array, opts: { mediaType: string; expected?: string }): Promise<Descriptor> {
  if (!(data instanceof Readable)) {
    const digest = sha256Digest(data);
    if (opts.expected !== undefined && opts.expected !== digest) {
      throw new DigestMismatchError('blob', opts.expected, digest);
    }
    if (hasBlob(ctx, digest)) {
      ctx.leases.hold('blob', digest);
      return { mediaType: opts.mediaType, digest, size: data.length };
    }
  }
  return commitBlob(ctx, await ingest(ctx, data), opts);
}

export function hasBlob(ctx: StoreContext, digest: string): boolean {
  const row = ctx.db.prepare('SELECT 1 FROM blobs WHERE digest = ?').get(digest);
  return row !== undefined && existsSync(blobPathOf(ctx.paths, digest));
}

export function blobPath(ctx: StoreContext, digest: string): string {
  return blobPathOf(ctx.paths, digest);
}

function verified(digest: string, data: Buffer): Buffer {
  const actual = sha256Digest(data);
  if (actual !== digest) throw new DigestMismatchError(`blob ${digest}`, digest, actual);
  return data;
}

function missing(digest: string, err: unknown): StoreError {
  return new StoreError(`blob ${digest} is missing from the store; run 'tsbuild fsck'`, { cause: err });
}

/** Reads a blob and checks it against its digest. */
export async function readBlob(ctx: StoreContext, digest: string): Promise<Buffer> {
  const data = await readFile(blobPathOf(ctx.paths, digest)).catch((err: unknown) => {
    throw missing(digest, err);
  });
  return verified(digest, data);
}

/** readBlob for the small JSON blobs (configs, manifests) that image lookups read. */
export function readBlobSync(ctx: StoreContext, digest: string): Buffer {
  let data: Buffer;
  try {
    data = readFileSync(blobPathOf(ctx.paths, digest));
  } catch (err) {
    throw missing(digest, err);
  }
  return verified(digest, data);
}
