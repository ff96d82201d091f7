// Read-only views of a snapshot chain (BuildKit's snapshot.Mountable): the store mounts them,
// so callers get a path and never run `mount` themselves. Mount points live in `views/`
// under the store root, named by `tempName()`: a view whose owner died is stale (fsck).
// mount(2) and umount2(2) through the addon: running mount(8)/umount(8) cost an exec each
// (5-15 ms here), twice per COPY step.
import { mkdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { native } from '../native.js';
import type { StoreContext } from './context.js';
import { inUserNamespace } from '../rootless/index.js';
import { tempName } from '../fs/index.js';
import { lowerdirs } from './snapshots.js';

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
    mkdirSync(emptyDir, { recursive: true });
    // Overlayfs refuses one directory twice, so an empty root is the (never written) empty dir itself.
    if (chainId === null) return { path: emptyDir, release: async () => undefined };
    const lowers = lowerdirs(this.ctx, chainId);
    const stack = lowers.length >= 2 ? lowers : [...lowers, emptyDir];
    mkdirSync(this.ctx.paths.views, { recursive: true });
    const path = join(this.ctx.paths.views, tempName());
    mkdirSync(path);
    try {
      // Rootless snapshots mark opaque dirs with user.overlay.* xattrs, which only `userxattr` reads.
      native.mountOverlayReadOnly(this.root, path, `lowerdir=${stack.join(':')}${inUserNamespace() ? ',userxattr' : ''}`);
    } catch (err) {
      rmdirSync(path);
      throw err;
    }
    this.#mounted.add(path);
    return { path, release: async () => this.#unmount(path) };
  }

  releaseAll(): void {
    for (const path of [...this.#mounted].reverse()) this.#unmount(path);
  }

  /** Detached (`umount -l`), the mount point is an empty directory at once; whoever still reads the view keeps it alive. */
  #unmount(path: string): void {
    if (!this.#mounted.delete(path)) return;
    // Either may fail when someone got there first (fsck, an unmount by hand): nothing is left to release then.
    ignoreFailure(() => native.unmountDetached(path));
    ignoreFailure(() => rmdirSync(path));
  }
}

function ignoreFailure(work: () => void): void {
  try {
    work();
  } catch {
    // nothing to do: see the caller
  }
}
