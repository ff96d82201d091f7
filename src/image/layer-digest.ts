// The diffID of a snapshot without writing its tar anywhere: hash the tar as it is planned.
//
// The diffID is one SHA-256 over the whole tar in name order, so it cannot be assembled from
// per-file digests (the copier's or the context's): every byte has to pass through one hash
// once the layer is final, and reading the files back (from the page cache, right after the
// copier wrote them) is the price of that determinism. What it need not cost is a JS Buffer
// per file: headers are hashed as encoded, and each body up to SYNC_READ_MAX is read and
// hashed in C (one reused buffer), giving the same bytes to the same SHA-256 as the tar
// stream would.
import { fsPath } from '../byte-names.js';
import { native } from '../native.js';
import type { Digest } from './oci-types.js';
import { checkedEpoch, fileBody, LayerTarError, planDir, SYNC_READ_MAX, type LayerTarOptions } from './layer-tar.js';
import { END_OF_ARCHIVE, encodeTarHeader, padding } from './tar/index.js';

export interface LayerDigest {
  /** sha256 of the uncompressed layer tar. */
  diffId: Digest;
  /** Bytes of the uncompressed layer tar. */
  size: number;
}

/** Longest stretch of synchronous work before the event loop gets a turn. */
const SLICE_MS = 10;

export async function digestLayerDir(dir: string, opts: LayerTarOptions = {}): Promise<LayerDigest> {
  const epoch = checkedEpoch(opts);
  const hash = native.sha256Begin();
  let size = 0;
  const add = (bytes: Buffer): void => {
    native.sha256Update(hash, bytes);
    size += bytes.length;
  };
  let slice = performance.now();
  for (const { header, source } of planDir(dir, epoch, opts.whiteoutsInNameOrder === true)) {
    add(encodeTarHeader(header));
    if (source === undefined) continue;
    if (header.size <= SYNC_READ_MAX) {
      const got = native.sha256UpdateFile(hash, fsPath(source), header.size);
      if (got > header.size) throw new LayerTarError(`${header.name} grew while it was being archived`);
      if (got < header.size) throw new LayerTarError(`${header.name} shrank while it was being archived`);
      size += got;
    } else {
      for await (const chunk of fileBody(source, header.size, header.name)) add(chunk);
    }
    add(padding(header.size));
    if (performance.now() - slice > SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
  }
  add(END_OF_ARCHIVE);
  return { diffId: native.sha256Digest(hash) as Digest, size };
}
