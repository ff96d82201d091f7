import { resolve } from 'node:path';
import { saveDockerArchive } from '../transfer/index.js';
import { archiveImages } from './archive-images.js';
import type { Exporter, OutputSpec } from './types.js';

/** A docker-archive (`docker load` reads it) at `dest`. */
export const dockerExporter: Exporter<Extract<OutputSpec, { type: 'docker' }>> = {
  async export(output, target) {
    await saveDockerArchive(target.store, { images: archiveImages(target), dest: resolve(output.dest) });
    return {};
  },
};
