// Layers arrive plain or compressed (pulled and imported layers are usually gzipped);
// the first bytes say which, so callers need not know the media type.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { TarFormatError } from './tar/index.js';

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

/** The uncompressed tar bytes of a layer stream that may be gzip-compressed. */
export async function* uncompressedLayer(input: Readable): AsyncGenerator<Buffer> {
  const it: AsyncIterator<Buffer> = input[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let ended = false;
  while (head.length < ZSTD_MAGIC.length && !ended) {
    const next = await it.next();
    if (next.done) ended = true;
    else head = Buffer.concat([head, Buffer.from(next.value)]);
  }
  async function* whole(): AsyncGenerator<Buffer> {
    try {
      if (head.length > 0) yield head;
      if (ended) return;
      for (let next = await it.next(); !next.done; next = await it.next()) yield Buffer.from(next.value);
    } finally {
      await it.return?.();
    }
  }
  if (head.subarray(0, ZSTD_MAGIC.length).equals(ZSTD_MAGIC)) {
    await it.return?.();
    throw new TarFormatError('zstd-compressed layers are not supported by this Node version; decompress them first');
  }
  if (!head.subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC)) {
    yield* whole();
    return;
  }
  const gunzip = createGunzip();
  // pipeline destroys gunzip with the first error on either side, which ends the loop below with it.
  const piping = pipeline(Readable.from(whole()), gunzip);
  piping.catch(() => {});
  for await (const chunk of gunzip) yield chunk as Buffer;
  await piping;
}
