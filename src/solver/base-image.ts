import { formatPlatform, hostPlatform, type Platform } from '../platform.js';
import type { ResolvedImage, Store } from '../store/index.js';
import { BaseImageError } from './errors.js';
import type { ProgressEmitter } from './events.js';

/**
 * Finds base images for a platform: the store first, then a registry. `pull` checks the
 * registry even when the store has the image. One lookup per reference and platform per build,
 * shared by the graphs (which need base configs) and the stages (which need layers) of every
 * target platform.
 */
export class BaseImages {
  private readonly pending = new Map<string, Promise<ResolvedImage>>();

  constructor(
    private readonly store: Store,
    private readonly progress: ProgressEmitter,
    private readonly options: { pull: boolean; insecureRegistries: string[] },
  ) {}

  resolve(ref: string, platform: Platform): Promise<ResolvedImage> {
    const key = `${formatPlatform(platform)} ${ref}`;
    let found = this.pending.get(key);
    if (!found) {
      found = this.find(ref, platform);
      this.pending.set(key, found);
    }
    return found;
  }

  private async find(ref: string, platform: Platform): Promise<ResolvedImage> {
    const local = this.store.resolveImageFor(ref, platform);
    if (local.image && !this.options.pull) return local.image;
    const vertex = this.progress.vertex(`[internal] load metadata for ${ref}`);
    let id: string;
    try {
      const { pullImage } = await import('../registry/index.js');
      id = await this.progress.track(vertex, () =>
        pullImage(this.store, ref, { platform, addToName: true, client: { insecureRegistries: this.options.insecureRegistries } }),
      );
    } catch (err) {
      if (local.image) return local.image;
      const want = formatPlatform(platform);
      const why = err instanceof Error ? err.message : String(err);
      if (local.held.length > 0) {
        throw new BaseImageError(
          `base image ${ref} has no ${want} image in the store (it holds ${local.held.join(', ')}) and could not be pulled (${why}); ` +
            `import one with: tsbuild import --platform ${want} ROOTFS.tar -t ${ref}`,
          { cause: err },
        );
      }
      const flag = formatPlatform(platform) === formatPlatform(hostPlatform()) ? '' : `--platform ${want} `;
      throw new BaseImageError(
        `base image ${ref} is not in the store and could not be pulled (${why}); import one with: tsbuild import ${flag}ROOTFS.tar -t ${ref}`,
        { cause: err },
      );
    }
    // By ID: a digest-pinned ref names the registry's manifest, which the store may not index.
    const pulled = this.store.resolveImage(id);
    if (!pulled) throw new BaseImageError(`image ${ref} was pulled but is not in the store; run tsbuild fsck`);
    return pulled;
  }
}
