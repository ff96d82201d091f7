import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobSource } from '../../../src/registry/index.js';

export function blobOf(bytes: Buffer): BlobSource & { bytes: Buffer } {
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  // Small pieces, so chunked uploads have to split and join reads.
  const pieces = (): Buffer[] => Array.from({ length: Math.ceil(bytes.length / 10_000) }, (_, i) => bytes.subarray(i * 10_000, (i + 1) * 10_000));
  return { bytes, digest, size: bytes.length, open: () => Readable.from(pieces()) };
}

export function randomBlob(size: number): BlobSource & { bytes: Buffer } {
  return blobOf(randomBytes(size));
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}
