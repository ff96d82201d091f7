// File names on Linux are bytes, JavaScript strings are UTF-16, and Node decodes names as
// UTF-8, turning every byte that is not UTF-8 into U+FFFD: two odd names became the same
// string, and the file could not be opened again under it. So names go through
// `decodeName`, which keeps valid UTF-8 as is and turns each stray byte b into the lone
// surrogate U+DC00+b (Python's "surrogateescape"), and back to bytes through `encodeName`
// wherever they meet the kernel, a hash or a tar header. A valid UTF-8 name never holds a
// lone surrogate, so the mapping is one to one and costs nothing for ordinary names.
import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';

const ESCAPE_BASE = 0xdc00;
const MAY_HOLD_ESCAPE = /[\udc80-\udcff]/;

/** The name as a string that `encodeName` turns back into the same bytes. */
export function decodeName(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const n = utf8SequenceLength(bytes, i);
    if (n > 0) {
      out += bytes.toString('utf8', i, i + n);
      i += n;
    } else {
      out += String.fromCharCode(ESCAPE_BASE + bytes[i]!);
      i++;
    }
  }
  return out;
}

/** Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates), or 0. */
function utf8SequenceLength(b: Buffer, i: number): number {
  const lead = b[i]!;
  if (lead < 0x80) return 1;
  let n: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) n = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    n = 3;
    if (lead === 0xe0) lo = 0xa0;
    if (lead === 0xed) hi = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    n = 4;
    if (lead === 0xf0) lo = 0x90;
    if (lead === 0xf4) hi = 0x8f;
  } else return 0;
  if (i + n > b.length) return 0;
  if (b[i + 1]! < lo || b[i + 1]! > hi) return 0;
  for (let k = 2; k < n; k++) if (b[i + k]! < 0x80 || b[i + k]! > 0xbf) return 0;
  return n;
}

/** The bytes a name (or path, or any text holding names) stands for. */
export function encodeName(text: string): Buffer {
  if (!MAY_HOLD_ESCAPE.test(text)) return Buffer.from(text);
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a surrogate pair is an ordinary character
        continue;
      }
    }
    if (c >= 0xdc80 && c <= 0xdcff) {
      parts.push(Buffer.from(text.slice(start, i)), Buffer.of(c - ESCAPE_BASE));
      start = i + 1;
    }
  }
  parts.push(Buffer.from(text.slice(start)));
  return Buffer.concat(parts);
}

/** What to hand Node's fs (or a hash): the string itself unless it holds an escaped byte. */
export function fsPath(path: string): string | Buffer {
  return MAY_HOLD_ESCAPE.test(path) ? encodeName(path) : path;
}

// The fs calls that meet names from a context, a stage root or a layer, byte-exact.

export function readdirNamesSync(dir: string): string[] {
  return fs.readdirSync(fsPath(dir), { encoding: 'buffer' }).map(decodeName);
}

export function readlinkNameSync(path: string): string {
  return decodeName(fs.readlinkSync(fsPath(path), { encoding: 'buffer' }));
}

export async function readlinkName(path: string): Promise<string> {
  return decodeName(await fsp.readlink(fsPath(path), { encoding: 'buffer' }));
}

export function lstatSync(path: string): fs.Stats;
export function lstatSync(path: string, opts: { bigint: true }): fs.BigIntStats;
export function lstatSync(path: string, opts: { bigint: true; throwIfNoEntry: false }): fs.BigIntStats | undefined;
export function lstatSync(path: string, opts?: fs.StatSyncOptions): fs.Stats | fs.BigIntStats | undefined {
  return fs.lstatSync(fsPath(path), opts);
}

export const lstat = (path: string): Promise<fs.Stats> => fsp.lstat(fsPath(path));
export const openSync = (path: string, flags: number, mode?: number): number => fs.openSync(fsPath(path), flags, mode);
export const mkdirSync = (path: string): void => void fs.mkdirSync(fsPath(path));
export const lchownSync = (path: string, uid: number, gid: number): void => fs.lchownSync(fsPath(path), uid, gid);
export const chmodSync = (path: string, mode: number): void => fs.chmodSync(fsPath(path), mode);
export const utimesSync = (path: string, atime: fs.TimeLike, mtime: fs.TimeLike): void => fs.utimesSync(fsPath(path), atime, mtime);
export const lutimesSync = (path: string, atime: fs.TimeLike, mtime: fs.TimeLike): void => fs.lutimesSync(fsPath(path), atime, mtime);
export const rmSync = (path: string, opts?: fs.RmOptions): void => fs.rmSync(fsPath(path), opts);
export const symlinkSync = (target: string, path: string): void => fs.symlinkSync(fsPath(target), fsPath(path));
export const linkSync = (existing: string, path: string): void => fs.linkSync(fsPath(existing), fsPath(path));
export const copyFileSync = (src: string, dest: string): void => fs.copyFileSync(fsPath(src), fsPath(dest));
export const copyFile = (src: string, dest: string): Promise<void> => fsp.copyFile(fsPath(src), fsPath(dest));
export const createReadStream = (path: string, opts?: { highWaterMark?: number }): fs.ReadStream => fs.createReadStream(fsPath(path), opts);
export const openFile = (path: string, flags: number): Promise<fsp.FileHandle> => fsp.open(fsPath(path), flags);

/** The fs.promises calls that layer apply makes, byte-exact. */
export const bytesFs = {
  lstat: (path: string) => fsp.lstat(fsPath(path)),
  mkdir: (path: string, mode: number) => fsp.mkdir(fsPath(path), mode),
  rm: (path: string, opts: fs.RmOptions) => fsp.rm(fsPath(path), opts),
  open: (path: string, flags: number, mode?: number) => fsp.open(fsPath(path), flags, mode),
  link: (existing: string, path: string) => fsp.link(fsPath(existing), fsPath(path)),
  symlink: (target: string, path: string) => fsp.symlink(fsPath(target), fsPath(path)),
  lchown: (path: string, uid: number, gid: number) => fsp.lchown(fsPath(path), uid, gid),
  chmod: (path: string, mode: number) => fsp.chmod(fsPath(path), mode),
  realpath: (path: string) => fsp.realpath(path),
};
