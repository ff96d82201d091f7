import type { Readable } from 'node:stream';
import { layerTarStream } from '../image/layer-tar.js';
import type { ExportTarget } from './types.js';

/**
 * The image's merged filesystem as one deterministic tar (the layer codec), read from a
 * store view that is released once the stream has been consumed by `use`.
 */
export async function withFilesystemTar(target: ExportTarget, use: (tar: Readable) => Promise<void>): Promise<void> {
  const view = await target.store.view(target.chainId);
  try {
    await use(layerTarStream(view.path, target.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: target.sourceDateEpoch }));
  } finally {
    await view.release();
  }
}
