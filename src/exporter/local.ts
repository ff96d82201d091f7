import { resolve } from 'node:path';
import { writeFilesystems } from './filesystem.js';
import type { Exporter, OutputSpec } from './types.js';

/** The image's filesystem written into the directory `dest` (one directory per platform for several). */
export const localExporter: Exporter<Extract<OutputSpec, { type: 'local' }>> = {
  async export(output, target) {
    await writeFilesystems(target, resolve(output.dest));
    return {};
  },
};
