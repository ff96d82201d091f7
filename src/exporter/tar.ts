import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { layerTarStream } from '../image/index.js';
import { withFilesystemTar, writeFilesystems } from './filesystem.js';
import type { Exporter, OutputSpec } from './types.js';

/** The image's filesystem as one tar file at `dest` (one top directory per platform for several). */
export const tarExporter: Exporter<Extract<OutputSpec, { type: 'tar' }>> = {
  async export(output, target) {
    const file = resolve(output.dest);
    const [only] = target.platforms;
    if (target.platforms.length === 1 && only) {
      await withFilesystemTar(target, only.chainId, (tar) => pipeline(tar, createWriteStream(file)));
      return {};
    }
    const dir = await mkdtemp(join(target.store.tmpDir(), 'export-'));
    try {
      await writeFilesystems(target, dir);
      const epoch = target.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: target.sourceDateEpoch };
      await pipeline(layerTarStream(dir, epoch), createWriteStream(file));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return {};
  },
};
