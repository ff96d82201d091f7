import { resolve } from 'node:path';
import { saveOciArchive } from '../transfer/index.js';
import { archiveImages } from './archive-images.js';
import type { Exporter, OutputSpec } from './types.js';

/** An OCI image layout at `dest`, as a tar or a directory. */
export const ociExporter: Exporter<Extract<OutputSpec, { type: 'oci' }>> = {
  async export(output, target) {
    await saveOciArchive(target.store, { images: archiveImages(target), dest: resolve(output.dest) });
    return {};
  },
};
