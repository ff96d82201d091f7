import { pushTags } from './registry.js';
import type { Exporter, OutputSpec } from './types.js';

/** The store (where the image already is), pushed as well with `push=true`. */
export const imageExporter: Exporter<Extract<OutputSpec, { type: 'image' }>> = {
  export: async (output, target) => (output.push ? pushTags(target) : {}),
};
