import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { applyLayer } from '../image/apply-layer.js';
import { withFilesystemTar } from './filesystem.js';
import type { Exporter, OutputSpec } from './types.js';

/**
 * The image's filesystem written into the directory `dest`: the tar exporter's stream,
 * extracted by the layer applier, so `local` and `tar` give the same tree and nothing
 * lands outside `dest`.
 */
export const localExporter: Exporter<Extract<OutputSpec, { type: 'local' }>> = {
  async export(output, target) {
    const dest = resolve(output.dest);
    await mkdir(dest, { recursive: true });
    await withFilesystemTar(target, async (tar) => {
      await applyLayer(tar, dest);
    });
  },
};
