// Typed loader for the C addon (native/addon/tsbuild_native.c). Node has no API for
// extended attributes or mknod, and layer tars need both: xattrs such as
// `security.capability` and `trusted.overlay.opaque`, and char devices for whiteouts.
// It also lists a directory with every entry's lstat in one call, for the context walk.
// Paths may be Buffers: file names are bytes, and not every name is UTF-8.
import { createRequire } from 'node:module';
import { packagePath } from './package-root.js';

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
  /** SHA-256 over `prefix` and then the bytes of the regular file `path` (ELOOP for a symlink, EINVAL for any other type), as `sha256:<hex>`, read and hashed on the libuv thread pool. */
  hashFile(path: string | Buffer, prefix: Buffer): Promise<string>;
  /** A running SHA-256 for the sha256* calls below. */
  sha256Begin(): Sha256Handle;
  sha256Update(handle: Sha256Handle, bytes: Buffer): void;
  /**
   * Hashes the first `size` bytes of `path` (a final symlink is not followed) and returns
   * how many it read: `size + 1` when the file is longer, fewer than `size` when shorter.
   */
  sha256UpdateFile(handle: Sha256Handle, path: string | Buffer, size: number): number;
  /** `sha256:<hex>` of everything added; the handle cannot be used after. */
  sha256Digest(handle: Sha256Handle): string;
  /** Whether both files (final symlinks not followed) hold exactly `size` bytes, the same ones. */
  sameFileBytes(a: string | Buffer, b: string | Buffer, size: number): boolean;
  /**
   * The entries of each directory (not . and ..) with their lstat, sorted by name bytes, or
   * null for one that does not exist: each name as bytes after that directory's prefix,
   * ending in a NUL; and 10 numbers per entry (the table an EntryStat reads): mode, uid, gid,
   * size, mtime seconds, mtime nanoseconds, ctime seconds, ctime nanoseconds, inode high and
   * low 32 bits. Several directories are scanned on two threads.
   */
  scanDirs(paths: (string | Buffer)[], prefixes: (string | Buffer)[]): ([names: Buffer, numbers: Float64Array] | null)[];
  /** `mount -t overlay overlay -o ro,OPTIONS TARGET` run in `cwd` (relative lowerdirs resolve there), as one syscall. */
  mountOverlayReadOnly(cwd: string, target: string, options: string): void;
  /** `umount -l PATH`: detaches the mount now; the kernel frees it once nothing uses it. */
  unmountDetached(path: string): void;
}

/** An OpenSSL digest context owned by the addon. */
export type Sha256Handle = { readonly __sha256: unique symbol };

export const native: NativeAddon = createRequire(import.meta.url)(packagePath('build/Release/tsbuild_native.node'));
