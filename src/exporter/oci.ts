import { resolve } from 'node:path';
import { saveOciArchive } from '../image/save-images.js';
import type { Exporter, OutputSpec } from './types.js';

/** An OCI image layout at `dest`, as a tar or a directory. */
export const ociExporter: Exporter<Extract<OutputSpec, { type: 'oci' }>> = {
  export: (output, target) =>
    saveOciArchive(target.store, { images: [{ id: target.imageId, tags: target.tags }], dest: resolve(output.dest) }),
};
