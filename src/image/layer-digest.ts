// The diffID of a snapshot without writing its tar anywhere: hash the stream as it is made.
import { createHash } from 'node:crypto';
import type { Digest } from './oci-types.js';
import { layerTarStream, type LayerTarOptions } from './layer-tar.js';

export interface LayerDigest {
  /** sha256 of the uncompressed layer tar. */
  diffId: Digest;
  /** Bytes of the uncompressed layer tar. */
  size: number;
}

export async function digestLayerDir(dir: string, opts: LayerTarOptions = {}): Promise<LayerDigest> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of layerTarStream(dir, opts)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { diffId: `sha256:${hash.digest('hex')}`, size };
}
