// `tsbuild import`: a root filesystem (tar, gzipped tar or directory) as a one-layer image,
// like `docker import`.
import { createReadStream, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Store } from '../store/index.js';
import { hostPlatform, type Platform } from '../platform.js';
import { applyLayer, layerTarStream } from '../image/index.js';
import type { ImageConfig } from '../image/index.js';

export interface ImportRootfsOptions {
  /** A tar file (plain or gzip), a directory, or a tar stream (stdin for `import -`). */
  source: string | Readable;
  /** Names to tag the image with. */
  tags: readonly string[];
  /** The image's creation time; pass a fixed one (SOURCE_DATE_EPOCH) for a reproducible ID. */
  created: Date;
  /** The platform the files are for; default this machine's. */
  platform?: Platform;
}

export async function importRootfs(store: Store, opts: ImportRootfsOptions): Promise<{ id: string; tags: string[] }> {
  // A directory is read as an overlay-format layer; a plain rootfs is one (it has no whiteouts).
  const source = opts.source;
  const tar: Readable = typeof source !== 'string' ? source : statSync(source).isDirectory() ? layerTarStream(source) : createReadStream(source);
  return store.withLease(async () => {
    // Unpacked and committed as our own deterministic tar, as `docker import` does: nothing
    // refers to the original tar's digest yet, so there is no reason to keep its bytes.
    const dir = store.makeTempDir();
    try {
      await applyLayer(tar, dir);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    const layer = await store.commitSnapshot({ parent: null, dir });
    const created = opts.created.toISOString();
    const platform = opts.platform ?? hostPlatform();
    const config: ImageConfig = {
      created,
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      config: {},
      rootfs: { type: 'layers', diff_ids: [] },
      history: [{ created, created_by: 'tsbuild import' }],
    };
    const { id } = await store.putImage({ config, layers: [layer.chainId] });
    // A name keeps its other platforms' images: importing arm64 files next to amd64 ones makes a multi-platform name.
    return { id, tags: opts.tags.map((name) => store.addPlatform(name, id)) };
  });
}
