import { createHash } from 'node:crypto';

/** The hex sha256 of bytes or text. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `sha256:<hex>`: the one digest form of blobs, manifests, cache keys and context checksums. */
export function sha256Digest(data: string | Uint8Array): `sha256:${string}` {
  return `sha256:${sha256Hex(data)}`;
}
