import { UsageError } from '../errors.js';
import type { ExportTarget, Exporter, OutputSpec } from './types.js';

/** Pushes the image under each of its tags. */
export const registryExporter: Exporter<Extract<OutputSpec, { type: 'registry' }>> = {
  export: (_output, target) => pushTags(target),
};

export async function pushTags(target: ExportTarget): Promise<void> {
  const { pushImage } = await import('../registry/index.js');
  if (target.tags.length === 0) throw new UsageError('pushing needs a name: add -t REGISTRY/NAME:TAG');
  for (const tag of target.tags) {
    await target.track(`pushing ${tag}`, () =>
      pushImage(target.store, target.imageId, tag, { client: { insecureRegistries: target.insecureRegistries } }),
    );
  }
}
