// ADD from a URL: downloaded with fetch, verified against --checksum, written with mode
// 0600 and the server's Last-Modified time. Git sources are recognized so they can be
// refused clearly until they are supported.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CopyError } from './errors.js';

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** BuildKit's git reference forms: git@host:…, git://, ssh://, …\.git URLs, github.com/… */
export function isGitRef(source: string): boolean {
  if (/^(git@|git:\/\/|ssh:\/\/|github\.com\/)/i.test(source)) return true;
  return /^https?:\/\/[^?#]+\.git(?:[?#].*)?$/i.test(source);
}

/** The file name ADD gives a URL source under a directory dest. */
export function urlFileName(url: string): string {
  const path = new URL(url).pathname;
  const base = decodeURIComponent(posix.basename(path));
  return base === '' || base === '/' || base === '.' || base === '..' ? '__unnamed__' : base;
}

export interface Download {
  /** Temp file holding the body (its directory is the caller's to remove). */
  file: string;
  digest: string;
  mtime: Date | null;
}

/** Parses `sha256:<hex>`; other forms are invalid usage. */
export function parseChecksum(checksum: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(checksum);
  if (m === null) throw new CopyError(`invalid --checksum=${checksum}: use sha256:<64 hex digits>`, { usage: true });
  return checksum;
}

export async function download(url: string, checksum: string | undefined): Promise<Download> {
  const dir = await mkdtemp(join(tmpdir(), 'tsbuild-add-'));
  const file = join(dir, 'body');
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (err) {
    throw new CopyError(`cannot download ${url}: ${(err as Error).message}; check the URL and the network`, { cause: err });
  }
  if (!res.ok || res.body === null) throw new CopyError(`cannot download ${url}: HTTP ${res.status} ${res.statusText}`);
  const hash = createHash('sha256');
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => hash.update(chunk));
  await pipeline(body, createWriteStream(file, { mode: 0o600 }));
  const digest = 'sha256:' + hash.digest('hex');
  if (checksum !== undefined && digest !== checksum) {
    throw new CopyError(`checksum mismatch for ${url}: expected ${checksum}, got ${digest}; update --checksum if the file changed on purpose`);
  }
  const lastModified = res.headers.get('last-modified');
  const mtime = lastModified === null ? null : new Date(lastModified);
  return { file, digest, mtime: mtime !== null && !Number.isNaN(mtime.getTime()) ? mtime : null };
}
