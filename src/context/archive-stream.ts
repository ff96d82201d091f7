// Recognizes tar archives by content, as BuildKit does for ADD and `docker build -`:
// gzip, bzip2, xz and zstd are detected by their magic bytes and decompressed, and the
// result is an archive only if it starts with a valid tar header.
import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ContextError } from './errors.js';

export type Compression = 'gzip' | 'bzip2' | 'xz' | 'zstd' | 'none';

const MAGIC: [Compression, number[]][] = [
  ['gzip', [0x1f, 0x8b]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

export function detectCompression(head: Buffer): Compression {
  for (const [kind, magic] of MAGIC) {
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b)) return kind;
  }
  return 'none';
}

/** The first `n` bytes of a stream (fewer at its end), and a stream that still yields them. */
export async function peek(stream: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < n) {
    const next = await it.next();
    if (next.done === true) break;
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    size += chunk.length;
  }
  const buffered = Buffer.concat(chunks);
  async function* replay(): AsyncGenerator<Buffer> {
    if (buffered.length > 0) yield buffered;
    for (let next = await it.next(); next.done !== true; next = await it.next()) yield next.value;
  }
  return { head: buffered.subarray(0, n), stream: Readable.from(replay(), { objectMode: false }) };
}

/** Decompresses with zlib or, for formats Node lacks, the system tool (`bzip2`, `xz`, `zstd`). */
export function decompress(stream: Readable, kind: Compression): Readable {
  if (kind === 'none') return stream;
  if (kind === 'gzip') return stream.pipe(createGunzip());
  const out = new PassThrough();
  const child = spawn(kind, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('error', (err) => out.destroy(new ContextError(`cannot run ${kind} to decompress: ${err.message}`)));
  // A truncated or corrupt archive must fail, not extract partially as if complete.
  child.on('close', (code) =>
    code === 0 ? out.end() : out.destroy(new ContextError(`not valid ${kind} data: ${stderr.trim() || `${kind} -dc exited ${code}`}`)),
  );
  child.stdin.on('error', () => {});
  stream.on('error', (err) => out.destroy(err));
  stream.pipe(child.stdin);
  child.stdout.pipe(out, { end: false });
  return out;
}

/** A valid ustar/v7 header block: the checksum field matches the block's bytes. */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < 512 || block.every((b) => b === 0)) return false;
  const field = block
    .subarray(148, 156)
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  return sum === parseInt(field, 8);
}

/** What `openTar` found: a decompressed tar, or not an archive (bytes still readable if uncompressed). */
export type TarProbe = { tar: Readable } | { tar: null; original: Readable | null };

/**
 * The decompressed tar stream when `stream` holds a (possibly compressed) tar archive.
 * Otherwise `original` still yields every byte, unless a decompressor already consumed them.
 */
export async function openTar(stream: Readable): Promise<TarProbe> {
  const raw = await peek(stream, 6);
  const kind = detectCompression(raw.head);
  if (kind === 'none') {
    const block = await peek(raw.stream, 512);
    return isTarHeader(block.head) ? { tar: block.stream } : { tar: null, original: block.stream };
  }
  const decompressed = await peek(decompress(raw.stream, kind), 512).catch(() => null);
  if (decompressed !== null && isTarHeader(decompressed.head)) return { tar: decompressed.stream };
  decompressed?.stream.destroy();
  return { tar: null, original: null };
}
