import { pushTags } from './registry.js';
import type { Exporter, OutputSpec } from './types.js';

/** The store (where the image already is), pushed as well with `push=true`. */
export const imageExporter: Exporter<Extract<OutputSpec, { type: 'image' }>> = {
  async export(output, target) {
    if (output.push) await pushTags(target);
  },
};
