// Read-only views of a snapshot chain (BuildKit's snapshot.Mountable): the store mounts them,
// so callers get a path and never run `mount` themselves. Mount points live in `views/`
// under the store root, named by `tempName()`: a view whose owner died is stale (fsck).
import { execFile, spawnSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { StoreContext } from './context.js';
import { inUserNamespace } from '../rootless/index.js';
import { tempName } from '../fs/index.js';
import { lowerdirs } from './snapshots.js';

const run = promisify(execFile);

/** A mounted read-only view; `release` unmounts it (once; later calls do nothing). */
export interface SnapshotView {
  readonly path: string;
  release(): Promise<void>;
}

/** The views one open store has mounted; whatever is left is unmounted when the store closes. */
export class Views {
  readonly #mounted = new Set<string>();

  constructor(
    private readonly ctx: StoreContext,
    private readonly root: string,
  ) {}

  /**
   * Mounts the filesystem of `chainId` (null: an empty root) read-only. Overlayfs refuses a
   * single lowerdir without an upper dir, so the empty dir pads a one-layer stack.
   */
  async view(chainId: string | null): Promise<SnapshotView> {
    const emptyDir = this.ctx.paths.empty;
    await mkdir(emptyDir, { recursive: true });
    // Overlayfs refuses one directory twice, so an empty root is the (never written) empty dir itself.
    if (chainId === null) return { path: emptyDir, release: async () => undefined };
    const lowers = lowerdirs(this.ctx, chainId);
    const stack = lowers.length >= 2 ? lowers : [...lowers, emptyDir];
    await mkdir(this.ctx.paths.views, { recursive: true });
    const path = join(this.ctx.paths.views, tempName());
    await mkdir(path);
    try {
      // Rootless snapshots mark opaque dirs with user.overlay.* xattrs, which only `userxattr` reads.
      const options = `ro,lowerdir=${stack.join(':')}${inUserNamespace() ? ',userxattr' : ''}`;
      await run('mount', ['-t', 'overlay', 'overlay', '-o', options, path], { cwd: this.root });
    } catch (err) {
      await rm(path, { recursive: true, force: true });
      throw err;
    }
    this.#mounted.add(path);
    return { path, release: () => this.#release(path) };
  }

  async releaseAll(): Promise<void> {
    for (const path of [...this.#mounted].reverse()) await this.#release(path);
  }

  /** Synchronous last resort for `Store.close()`. */
  releaseAllSync(): void {
    for (const path of [...this.#mounted].reverse()) {
      this.#mounted.delete(path);
      spawnSync('umount', ['-l', path]);
      spawnSync('rmdir', [path]);
    }
  }

  async #release(path: string): Promise<void> {
    if (!this.#mounted.delete(path)) return;
    await run('umount', ['-l', path]).catch(() => undefined);
    await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}
