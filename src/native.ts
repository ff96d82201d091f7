// Typed loader for the C addon (native/addon/tsbuild_native.c). Node has no API for
// extended attributes or mknod, and layer tars need both: xattrs such as
// `security.capability` and `trusted.overlay.opaque`, and char devices for whiteouts.
// Paths may be Buffers: file names are bytes, and not every name is UTF-8.
import { createRequire } from 'node:module';

export interface NativeAddon {
  /** Every extended attribute of `path` (not following a final symlink), values byte-exact. */
  lgetxattrs(path: string | Buffer): Record<string, Buffer>;
  /** Sets one attribute on `path` itself, never on a symlink's target. */
  lsetxattr(path: string | Buffer, name: string, value: Buffer): void;
  lremovexattr(path: string | Buffer, name: string): void;
  /** `mode` includes the type bits: S_IFCHR, S_IFBLK or S_IFIFO. */
  mknod(path: string | Buffer, mode: number, major: number, minor: number): void;
  /** Sets atime and mtime of `path` itself (not a symlink's target) to `sec` + `nsec` exactly. */
  lutimens(path: string | Buffer, sec: number, nsec: number): void;
  /** flock(fd, LOCK_EX | LOCK_NB): true when taken, false when another open file holds it. */
  tryLockExclusive(fd: number): boolean;
  /** A pseudo-terminal pair of the given size: [master, slave] fds, close-on-exec. */
  openpty(rows: number, cols: number): [number, number];
  /** Resizes the terminal of `fd` (TIOCSWINSZ). */
  setWinsize(fd: number, rows: number, cols: number): void;
  /** `mount -t overlay overlay -o ro,OPTIONS TARGET` run in `cwd` (relative lowerdirs resolve there), as one syscall. */
  mountOverlayReadOnly(cwd: string, target: string, options: string): void;
  /** `umount -l PATH`: detaches the mount now; the kernel frees it once nothing uses it. */
  unmountDetached(path: string): void;
}

// src/native.ts and dist/native.js both sit one level under the repo root.
export const native: NativeAddon = createRequire(import.meta.url)('../build/Release/tsbuild_native.node');
