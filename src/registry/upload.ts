import { pipeline, type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Digest } from '../image/index.js';
import { VerifyingStream } from './digest.js';
import { isRegistryError, RegistryError, type UploadSession } from './errors.js';
import { backoffDelay } from './retry.js';
import type { Transport } from './transport.js';

/** A blob to push. `open` is called again for every fresh attempt, so it must restart from byte 0. */
export interface BlobSource {
  digest: Digest;
  size: number;
  open(): Readable;
}

export interface PushBlobOptions {
  /** Another repository on the same registry that may hold the blob: it is mounted, not uploaded. */
  mountFrom?: string;
  /** Continue an upload that failed with `upload-interrupted`, from what the registry already holds. */
  resume?: UploadSession;
}

export type PushBlobResult = 'exists' | 'mounted' | 'uploaded';

export interface UploadContext {
  transport: Transport;
  repo: string;
  /** Blobs larger than this go up in PATCH chunks of this size; smaller ones in one PUT. */
  chunkSize: number;
}

const OCTETS = 'application/octet-stream';

function pushScopes(repo: string, mountFrom?: string): string[] {
  const scopes = [`repository:${repo}:pull,push`];
  if (mountFrom) scopes.push(`repository:${mountFrom}:pull`);
  return scopes;
}

function locationOf(res: Response, base: URL, what: string): URL {
  const location = res.headers.get('location');
  if (!location) throw new RegistryError('protocol', `${what}: the registry sent no upload Location`);
  return new URL(location, base); // registries may answer with a path only
}

/** Starts an upload session, or mounts the blob from `mountFrom` when the registry can (201). */
async function startUpload(ctx: UploadContext, blob: BlobSource, mountFrom?: string): Promise<URL | 'mounted'> {
  const url = ctx.transport.url(`v2/${ctx.repo}/blobs/uploads/`);
  if (mountFrom) {
    url.searchParams.set('mount', blob.digest);
    url.searchParams.set('from', mountFrom);
  }
  const what = `blob ${blob.digest}`;
  const scopes = pushScopes(ctx.repo, mountFrom);
  const res = await ctx.transport.request({ method: 'POST', url, scopes, ok: [201, 202], what, headers: { 'content-length': '0' } });
  await res.body?.cancel();
  return res.status === 201 ? 'mounted' : locationOf(res, url, what);
}

function withDigest(location: URL, digest: Digest): URL {
  const url = new URL(location);
  url.searchParams.set('digest', digest); // keep the session's own query (distribution's `_state`)
  return url;
}

/**
 * The blob's bytes, checked against its digest and size on our side as well: a wrong source
 * then fails with that reason instead of as whatever the registry makes of it.
 */
function openVerified(blob: BlobSource): Readable {
  return pipeline(blob.open(), new VerifyingStream(blob.digest, blob.size, `blob ${blob.digest}`), () => {});
}

/** A source failure, not the registry's: kept as a RegistryError (size, digest) or reported as `upload-interrupted`. */
function sourceFailure(err: Error, what: string, upload?: UploadSession): RegistryError {
  if (err instanceof RegistryError) return err;
  const message = `${what}: reading the blob failed: ${err.message}`;
  return new RegistryError('upload-interrupted', message, { cause: err, ...(upload ? { upload } : {}) });
}

async function uploadMonolithic(ctx: UploadContext, blob: BlobSource, location: URL): Promise<void> {
  const what = `blob ${blob.digest}`;
  let failed: Error | undefined;
  const body = (): Readable => openVerified(blob).on('error', (err) => (failed = err));
  try {
    const res = await ctx.transport.request({
      method: 'PUT',
      url: withDigest(location, blob.digest),
      scopes: pushScopes(ctx.repo),
      headers: { 'content-type': OCTETS, 'content-length': String(blob.size) },
      body,
      ok: [201, 204],
      retry: false, // a failed PUT may have consumed the session; the caller restarts from POST
      what,
    });
    await res.body?.cancel();
  } catch (err) {
    throw failed ? sourceFailure(failed, what) : err;
  }
}

/** How many bytes the session holds, from `Range: 0-<last>`. Distribution answers `0-0` for an empty upload. */
async function uploadStatus(ctx: UploadContext, location: URL): Promise<UploadSession> {
  const res = await ctx.transport.request({ method: 'GET', url: location, scopes: pushScopes(ctx.repo), ok: [204], what: 'upload status' });
  await res.body?.cancel();
  const m = /^(?:bytes=)?0-(\d+)$/.exec(res.headers.get('range') ?? '');
  const last = m ? Number(m[1]) : -1;
  return { location: locationOf(res, location, 'upload status').href, offset: last > 0 ? last + 1 : 0 };
}

/** Yields `size`-byte buffers of `source` after skipping `skip` bytes; the last one may be shorter. */
async function* chunksOf(source: Readable, skip: number, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const data of source as AsyncIterable<Buffer>) {
    let buf = data;
    if (skip > 0) {
      const dropped = Math.min(skip, buf.length);
      skip -= dropped;
      buf = buf.subarray(dropped);
    }
    while (buf.length > 0) {
      const take = Math.min(size - pendingBytes, buf.length);
      pending.push(buf.subarray(0, take));
      pendingBytes += take;
      buf = buf.subarray(take);
      if (pendingBytes === size) {
        yield Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
      }
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}

/**
 * Sends one chunk at `session.offset`. If the connection drops or the registry fails, asks
 * the session where it stands and sends what it lacks, a bounded number of times. A session
 * the registry no longer accepts (distribution cancels one that received part of a chunk)
 * surfaces as an error so the caller can start over.
 */
async function sendChunk(ctx: UploadContext, { session, chunk, what }: { session: UploadSession; chunk: Buffer; what: string }): Promise<UploadSession> {
  const end = session.offset + chunk.length;
  for (let retry = 0; ; retry++) {
    const data = chunk.subarray(chunk.length - (end - session.offset));
    try {
      const res = await ctx.transport.request({
        method: 'PATCH',
        url: new URL(session.location),
        scopes: pushScopes(ctx.repo),
        headers: { 'content-type': OCTETS, 'content-length': String(data.length), 'content-range': `${session.offset}-${end - 1}` },
        body: () => data,
        ok: [202, 204],
        retry: false,
        what,
      });
      await res.body?.cancel();
      return { location: locationOf(res, new URL(session.location), what).href, offset: end };
    } catch (err) {
      if (!isRegistryError(err, 'unavailable') || retry + 1 >= ctx.transport.retryPolicy.attempts) throw err;
      await sleep(backoffDelay(ctx.transport.retryPolicy, retry));
      const status = await uploadStatus(ctx, new URL(session.location));
      if (status.offset < session.offset || status.offset > end) {
        throw new RegistryError('protocol', `${what}: the upload holds ${status.offset} bytes, expected ${session.offset}`, { cause: err });
      }
      if (status.offset === end) return status;
      session = status;
    }
  }
}

async function uploadChunked(ctx: UploadContext, blob: BlobSource, session: UploadSession): Promise<void> {
  const what = `blob ${blob.digest}`;
  try {
    for await (const chunk of chunksOf(openVerified(blob), session.offset, ctx.chunkSize)) {
      session = await sendChunk(ctx, { session, chunk, what });
    }
  } catch (err) {
    if (err instanceof RegistryError) throw err;
    // The source failed, not the registry: keep the session so the caller can resume it later.
    throw sourceFailure(err as Error, `${what} after ${session.offset} bytes`, session);
  }
  const res = await ctx.transport.request({
    method: 'PUT',
    url: withDigest(new URL(session.location), blob.digest),
    scopes: pushScopes(ctx.repo),
    headers: { 'content-length': '0' },
    ok: [201, 204],
    retry: false,
    what,
  });
  await res.body?.cancel();
}

export async function blobExists(transport: Transport, repo: string, digest: Digest): Promise<boolean> {
  const url = transport.url(`v2/${repo}/blobs/${digest}`);
  const res = await transport.request({ method: 'HEAD', url, scopes: [`repository:${repo}:pull`], ok: [200, 404], what: `blob ${digest}` });
  await res.body?.cancel();
  return res.status === 200;
}

/**
 * Pushes one blob: skipped when the repository has it, mounted when `mountFrom` has it,
 * else uploaded whole or in chunks. A registry failure restarts the upload from a new
 * session (bounded); a failing source ends in `upload-interrupted` with the session to resume.
 */
export async function pushBlob(ctx: UploadContext, blob: BlobSource, opts: PushBlobOptions = {}): Promise<PushBlobResult> {
  if (!opts.resume && (await blobExists(ctx.transport, ctx.repo, blob.digest))) return 'exists';
  let resume = opts.resume;
  for (let attempt = 1; ; attempt++) {
    try {
      if (resume) {
        await uploadChunked(ctx, blob, await uploadStatus(ctx, new URL(resume.location)));
        return 'uploaded';
      }
      const location = await startUpload(ctx, blob, opts.mountFrom);
      if (location === 'mounted') return 'mounted';
      if (blob.size > ctx.chunkSize) await uploadChunked(ctx, blob, { location: location.href, offset: 0 });
      else await uploadMonolithic(ctx, blob, location);
      return 'uploaded';
    } catch (err) {
      // A vanished session is a 404 (BLOB_UPLOAD_UNKNOWN/INVALID); like a 5xx, only a new session helps.
      const lostSession = isRegistryError(err, 'unavailable') || isRegistryError(err, 'not-found');
      if (!lostSession || attempt >= ctx.transport.retryPolicy.attempts) throw err;
      // The final PUT may have landed even though its answer was lost.
      if (await blobExists(ctx.transport, ctx.repo, blob.digest)) return 'uploaded';
      resume = undefined;
      await sleep(backoffDelay(ctx.transport.retryPolicy, attempt - 1));
    }
  }
}
