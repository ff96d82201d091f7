import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { applyLayer, layerTarStream } from '../image/index.js';
import type { ExportTarget } from './types.js';

/**
 * A layer chain's merged filesystem as one deterministic tar (the layer codec), read from a
 * store view that is released once the stream has been consumed by `use`.
 */
export async function withFilesystemTar(target: ExportTarget, chainId: string | null, use: (tar: Readable) => Promise<void>): Promise<void> {
  const view = await target.store.view(chainId);
  try {
    await use(layerTarStream(view.path, target.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: target.sourceDateEpoch }));
  } finally {
    await view.release();
  }
}

/**
 * Writes the target's filesystem into `dest`: the tar stream extracted by the layer applier, so
 * nothing lands outside `dest`. Several platforms get one `os_arch[_variant]/` directory each,
 * as buildx writes them.
 */
export async function writeFilesystems(target: ExportTarget, dest: string): Promise<void> {
  const several = target.platforms.length > 1;
  for (const { platform, chainId } of target.platforms) {
    const dir = several ? join(dest, platform.replaceAll('/', '_')) : dest;
    await mkdir(dir, { recursive: true });
    await withFilesystemTar(target, chainId, async (tar) => {
      await applyLayer(tar, dir);
    });
  }
}
