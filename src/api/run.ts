// `tsbuild run` for build scripts: an image from the store in the RUN sandbox.
import { UsageError } from '../errors.js';
import { runImage as runInSandbox, type RunImageOptions, checkEmulation } from '../executor/index.js';
import type { SandboxResult } from '../executor/index.js';
import { formatPlatform, type Platform } from '../platform.js';
import { ImageNotFoundError } from '../store/index.js';
import { withStoreAt, type StoreOptions } from './images.js';

/** Options of `runImage`: the image, and docker run's overrides. */
export interface RunOptions extends StoreOptions, Omit<RunImageOptions, 'config' | 'rootfs' | 'scratchDir'> {
  /** Name or ID of an image in the store. */
  image: string;
  /** Which platform's image of a multi-platform name; another architecture runs under QEMU (binfmt_misc). */
  platform?: Platform;
}

/**
 * Runs an image like `docker run --rm` (`tsbuild run`): its ENTRYPOINT/CMD, Env, USER and
 * WORKDIR, overridable; filesystem changes are discarded. Resolves to the exit code (and
 * signal); output goes to `onOutput`, stdin is passed only with `stdin: 'inherit'`.
 */
export async function runImage(options: RunOptions): Promise<SandboxResult> {
  const { image: name, root: _root, platform, ...rest } = options;
  if (name === '') throw new UsageError('runImage needs an image name');
  return withStoreAt(options, async (store) => {
    const found = platform ? store.resolveImageFor(name, platform) : { image: store.resolveImage(name), held: [] };
    const image = found.image;
    if (!image) {
      if (platform && found.held.length > 0)
        throw new UsageError(`image ${name} holds no ${formatPlatform(platform)} image (it holds ${found.held.join(', ')}); see tsbuild images`);
      throw new ImageNotFoundError(name);
    }
    const { os, architecture, variant } = image.config;
    checkEmulation({ os, architecture, ...(variant ? { variant } : {}) });
    const top = image.chainIds.at(-1);
    return store.withLease(() =>
      runInSandbox({
        ...rest,
        config: image.config.config,
        rootfs: { lowerdirs: top ? store.lowerdirs(top) : [store.emptyDir()], mountCwd: store.root },
        scratchDir: store.tmpDir(),
      }),
    );
  });
}
