import type { Platform } from '../platform.js';
import type { ResolvedImage, Store } from '../store/index.js';
import { BaseImageError } from './errors.js';
import type { ProgressEmitter } from './events.js';

/**
 * Finds base images: the store first, then a registry. `pull` checks the registry even
 * when the store has the image. One lookup per reference per build, shared by the graph
 * (which needs base configs) and the stages (which need layers).
 */
export class BaseImages {
  private readonly pending = new Map<string, Promise<ResolvedImage>>();

  constructor(
    private readonly store: Store,
    private readonly progress: ProgressEmitter,
    private readonly options: { pull: boolean; platform: Platform; insecureRegistries: string[] },
  ) {}

  resolve(ref: string): Promise<ResolvedImage> {
    let found = this.pending.get(ref);
    if (!found) {
      found = this.find(ref);
      this.pending.set(ref, found);
    }
    return found;
  }

  private async find(ref: string): Promise<ResolvedImage> {
    const local = this.store.resolveImage(ref);
    if (local && !this.options.pull) return local;
    const vertex = this.progress.vertex(`[internal] load metadata for ${ref}`);
    let id: string;
    try {
      const { pullImage } = await import('../registry/index.js');
      id = await this.progress.track(vertex, () => pullImage(this.store, ref, { platform: this.options.platform, client: { insecureRegistries: this.options.insecureRegistries } }));
    } catch (err) {
      if (local) return local;
      throw new BaseImageError(
        `base image ${ref} is not in the store and could not be pulled (${err instanceof Error ? err.message : String(err)}); ` +
          `import one with: tsbuild import ROOTFS.tar -t ${ref}`,
        { cause: err },
      );
    }
    // By ID: a digest-pinned ref names the registry's manifest, which the store may not index.
    const pulled = this.store.resolveImage(id);
    if (!pulled) throw new BaseImageError(`image ${ref} was pulled but is not in the store; run tsbuild fsck`);
    return pulled;
  }
}
