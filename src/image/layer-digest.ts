// The diffID of a snapshot without writing its tar anywhere: hash the stream as it is made.
//
// The diffID is one SHA-256 over the whole tar in name order, so it cannot be assembled from
// per-file digests (the copier's or the context's): every byte has to pass through one hash
// once the layer is final, and reading the files back (from the page cache, right after the
// copier wrote them) is the price of that determinism.
import { createHash } from 'node:crypto';
import type { Digest } from './oci-types.js';
import { layerTarChunks, type LayerTarOptions } from './layer-tar.js';

export interface LayerDigest {
  /** sha256 of the uncompressed layer tar. */
  diffId: Digest;
  /** Bytes of the uncompressed layer tar. */
  size: number;
}

export async function digestLayerDir(dir: string, opts: LayerTarOptions = {}): Promise<LayerDigest> {
  const hash = createHash('sha256');
  let size = 0;
  // Each chunk is hashed before the next is made, so the tar generator may reuse its memory.
  for await (const chunk of layerTarChunks(dir, opts, true)) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { diffId: `sha256:${hash.digest('hex')}`, size };
}
