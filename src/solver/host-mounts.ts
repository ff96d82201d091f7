import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inUserNamespace } from '../rootless/index.js';

const run = promisify(execFile);

/**
 * Read-only views of snapshot stacks, mounted on the host for the steps that read a
 * filesystem without running anything in it (COPY's destination, COPY --from, bind
 * mounts). Every view is tracked and unmounted when the build ends, whatever happens.
 */
export class HostMounts {
  private readonly mounted: string[] = [];
  private readonly base: string;
  private readonly emptyDir: string;

  /** `scratchDir`: a directory for mount points; `emptyDir`: an empty directory used to pad lowerdirs. */
  constructor(scratchDir: string, emptyDir: string) {
    this.base = scratchDir;
    this.emptyDir = emptyDir;
  }

  /**
   * Mounts the stack `lowerdirs` (topmost first; may be relative to `cwd`) read-only and
   * returns the mount point. Overlayfs refuses a single lowerdir without an upper dir, so
   * an empty directory pads the stack.
   */
  async overlayView(lowerdirs: string[], cwd: string): Promise<string> {
    await mkdir(this.base, { recursive: true });
    const target = await mkdtemp(join(this.base, 'view-'));
    const stack = lowerdirs.length >= 2 ? lowerdirs : [...lowerdirs, this.emptyDir, this.emptyDir].slice(0, 2);
    // Rootless snapshots mark opaque dirs with user.overlay.* xattrs, which only `userxattr` reads.
    const options = `ro,lowerdir=${stack.join(':')}${inUserNamespace() ? ',userxattr' : ''}`;
    await run('mount', ['-t', 'overlay', 'overlay', '-o', options, target], { cwd });
    this.mounted.push(target);
    return target;
  }

  /** Unmounts one view early (a COPY's destination view is needed only during its step). */
  async release(target: string): Promise<void> {
    const i = this.mounted.indexOf(target);
    if (i < 0) return;
    this.mounted.splice(i, 1);
    await unmount(target);
  }

  async releaseAll(): Promise<void> {
    for (const target of this.mounted.splice(0).reverse()) await unmount(target);
  }
}

async function unmount(target: string): Promise<void> {
  await run('umount', ['-l', target]).catch(() => undefined);
  await rm(target, { recursive: true, force: true }).catch(() => undefined);
}
