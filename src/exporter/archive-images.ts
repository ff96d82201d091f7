import type { ExportTarget } from './types.js';

/** The archive entry of the target: one image, or an index of every platform's image under the tags. */
export function archiveImages(target: ExportTarget): { id: string; tags: string[]; platforms?: string[] }[] {
  const platforms = target.platforms.length > 1 ? { platforms: target.platforms.map((p) => p.imageId) } : {};
  return [{ id: target.imageId, tags: target.tags, ...platforms }];
}
