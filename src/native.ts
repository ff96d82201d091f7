// Typed loader for the C addon (native/addon/tsbuild_native.c). Node has no API for
// extended attributes or mknod, and layer tars need both: xattrs such as
// `security.capability` and `trusted.overlay.opaque`, and char devices for whiteouts.
import { createRequire } from 'node:module';

export interface NativeAddon {
  /** Every extended attribute of `path` (not following a final symlink), values byte-exact. */
  lgetxattrs(path: string): Record<string, Buffer>;
  /** Sets one attribute on `path` itself, never on a symlink's target. */
  lsetxattr(path: string, name: string, value: Buffer): void;
  lremovexattr(path: string, name: string): void;
  /** `mode` includes the type bits: S_IFCHR, S_IFBLK or S_IFIFO. */
  mknod(path: string, mode: number, major: number, minor: number): void;
  /** Sets atime and mtime of `path` itself (not a symlink's target) to `sec` + `nsec` exactly. */
  lutimens(path: string, sec: number, nsec: number): void;
  /** A pseudo-terminal pair of the given size: [master, slave] fds, close-on-exec. */
  openpty(rows: number, cols: number): [number, number];
  /** Resizes the terminal of `fd` (TIOCSWINSZ). */
  setWinsize(fd: number, rows: number, cols: number): void;
}

// src/native.ts and dist/native.js both sit one level under the repo root.
export const native: NativeAddon = createRequire(import.meta.url)('../build/Release/tsbuild_native.node');
