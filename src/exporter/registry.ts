import { UsageError } from '../errors.js';
import type { ExportReport, ExportTarget, Exporter, OutputSpec } from './types.js';

/** Pushes the image under each of its tags. */
export const registryExporter: Exporter<Extract<OutputSpec, { type: 'registry' }>> = {
  export: (_output, target) => pushTags(target),
};

/**
 * Pushes the image (a multi-platform build: what each tag holds, its index) under each tag.
 * Reports the registry's digest: the same bytes go up for every tag.
 */
export async function pushTags(target: ExportTarget): Promise<ExportReport> {
  const { pushImage } = await import('../registry/index.js');
  if (target.tags.length === 0) throw new UsageError('pushing needs a name: add -t REGISTRY/NAME:TAG');
  let pushedDigest = '';
  for (const tag of target.tags) {
    const source = target.platforms.length > 1 ? tag : target.imageId;
    const pushed = await target.track(`pushing ${tag}`, () =>
      pushImage(target.store, source, tag, { client: { insecureRegistries: target.insecureRegistries } }),
    );
    pushedDigest = pushed.digest;
  }
  return { pushedDigest };
}
