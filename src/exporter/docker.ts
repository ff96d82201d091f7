import { resolve } from 'node:path';
import { saveDockerArchive } from '../image/save-images.js';
import type { Exporter, OutputSpec } from './types.js';

/** A docker-archive (`docker load` reads it) at `dest`. */
export const dockerExporter: Exporter<Extract<OutputSpec, { type: 'docker' }>> = {
  export: (output, target) =>
    saveDockerArchive(target.store, { images: [{ id: target.imageId, tags: target.tags }], dest: resolve(output.dest) }),
};
