// Why not tar-stream (3.2.2, measured): it writes mode 000 as 0644, clamps uid/gid above
// 262143 and ignores PAX uid/gid when reading, corrupts mtimes from 2038 on and before
// 1970, drops sub-second mtimes, writes a 20-byte binary xattr as 21 bytes and reads it
// back lossily, defaults mtime to now, and writes directories without the trailing `/`
// Docker writes. Layer digests must be byte-exact and reproducible, so tsbuild encodes
// ustar + PAX headers itself.
import { TsbuildError } from '../../errors.js';

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** A point in time as the filesystem keeps it; `sec` may be negative (before 1970). */
export interface TarTime {
  sec: number;
  /** 0..999_999_999 */
  nsec: number;
}

export interface TarHeader {
  /** Path inside the archive; a directory's ends with `/`. */
  name: string;
  type: TarEntryType;
  /** Permission bits including setuid, setgid and sticky (`& 0o7777`); 0 is kept as 0. */
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of body; only regular files have one. */
  size: number;
  mtime: TarTime;
  /** Symlink target, or the archive path a hardlink points to. */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes by full name (`security.capability`), values byte-exact. */
  xattrs: Record<string, Buffer>;
}

/** An archive that cannot be read or a header that cannot be written. */
export class TarFormatError extends TsbuildError {
  readonly code = 'bad-tar';
  readonly exitCode = 1;
}

export const BLOCK = 512;

/** Zero bytes that fill a body of `size` bytes up to a whole block. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}
