// Deterministic tar of an overlay-format snapshot directory (an overlay upper dir or an
// applied layer): the same directory always gives the same bytes, so the same diffID.
// Overlay markers become OCI ones: a char device 0/0 is a deletion (`.wh.<name>`), and
// `trusted.overlay.opaque=y` on a directory is `<dir>/.wh..wh..opq`.
import type { BigIntStats } from 'node:fs';
import { closeSync, constants, readSync } from 'node:fs';
import { encodeName, fsPath, lstatSync, openFile, openSync, readdirNamesSync, readlinkNameSync } from '../byte-names.js';
import path from 'node:path';
import { Readable } from 'node:stream';
import { TsbuildError } from '../errors.js';
import { native } from '../native.js';
import { OVERLAY_XATTR_PREFIXES, overlayXattrPrefix } from '../rootless/index.js';
import { END_OF_ARCHIVE, encodeTarHeader, padding, type TarHeader, type TarTime } from './tar/index.js';

export interface LayerTarOptions {
  /**
   * SOURCE_DATE_EPOCH in seconds: every mtime later than it becomes it, and sub-second
   * parts are dropped, so rebuilds at other times give the same bytes.
   */
  sourceDateEpoch?: number;
  /**
   * Whiteouts among the other entries in byte order of names, as layers were made before
   * whiteouts went first: their recorded diff IDs need those bytes.
   */
  whiteoutsInNameOrder?: boolean;
}

/** A snapshot holds something a layer tar cannot say. */
export class LayerTarError extends TsbuildError {
  readonly code = 'unsupported-snapshot-entry';
  readonly exitCode = 1;
}

/** One entry of a layer tar, with where its body comes from. */
export interface Planned {
  header: TarHeader;
  /** Set for regular files whose body is read from disk. */
  source?: string;
  /** Hardlink identity; whiteouts and directories have none. */
  inode?: string;
  /** Set for the markers made from overlay whiteouts and opaque directories. */
  whiteout?: 'opaque' | 'name';
}

const READ_CHUNK = 1024 * 1024;
/** Bodies up to this size are read in one synchronous call. */
export const SYNC_READ_MAX = 1024 * 1024;
/** Longest stretch of synchronous work before the event loop gets a turn. */
const SLICE_MS = 10;
// Overlay bookkeeping (trusted.overlay.*, or user.overlay.* in a rootless store), not
// content. Redirects and metacopy would change what a path holds without the snapshot
// showing it, so snapshots carrying them are refused.
const UNREPRESENTABLE = OVERLAY_XATTR_PREFIXES.flatMap((prefix) => [`${prefix}redirect`, `${prefix}metacopy`]);

function mtimeOf(st: BigIntStats, epoch: number | undefined): TarTime {
  let sec = st.mtimeNs / 1_000_000_000n;
  let nsec = st.mtimeNs % 1_000_000_000n;
  if (nsec < 0n) {
    sec -= 1n;
    nsec += 1_000_000_000n;
  }
  if (epoch === undefined) return { sec: Number(sec), nsec: Number(nsec) };
  return { sec: Math.min(Number(sec), epoch), nsec: 0 };
}

function contentXattrs(abs: string, rel: string): { xattrs: Record<string, Buffer>; opaque: boolean } {
  const all = native.lgetxattrs(fsPath(abs));
  const found = UNREPRESENTABLE.find((name) => name in all);
  if (found) throw new LayerTarError(`${rel}: overlay ${found} cannot be put in a layer; mount overlays with redirect_dir=off and metacopy=off`);
  const xattrs: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(all)) {
    if (!OVERLAY_XATTR_PREFIXES.some((prefix) => name.startsWith(prefix))) xattrs[name] = value;
  }
  return { xattrs, opaque: all[`${overlayXattrPrefix()}opaque`]?.toString('latin1') === 'y' };
}

function plan(abs: string, rel: string, st: BigIntStats, epoch: number | undefined): Planned[] {
  const base = {
    mode: Number(st.mode) & 0o7777,
    uid: Number(st.uid),
    gid: Number(st.gid),
    size: 0,
    mtime: mtimeOf(st, epoch),
    linkname: '',
    devmajor: 0,
    devminor: 0,
    xattrs: {} as Record<string, Buffer>,
  };
  const inode = `${st.dev}:${st.ino}`;
  if (st.isCharacterDevice() && st.rdev === 0n) {
    const marker = path.posix.join(path.posix.dirname(rel), `.wh.${path.posix.basename(rel)}`);
    return [{ header: { ...base, name: marker, type: 'file', mode: 0, uid: 0, gid: 0 }, whiteout: 'name' }];
  }
  if (st.isSocket()) return []; // a socket is a running process's, never image content (Docker skips them too)
  const { xattrs, opaque } = contentXattrs(abs, rel);
  if (st.isDirectory()) {
    const dir: Planned = { header: { ...base, name: `${rel}/`, type: 'dir', xattrs } };
    if (!opaque) return [dir];
    return [dir, { header: { ...base, name: `${rel}/.wh..wh..opq`, type: 'file', mode: 0, uid: 0, gid: 0 }, whiteout: 'opaque' }];
  }
  if (st.isFile()) return [{ header: { ...base, name: rel, type: 'file', size: Number(st.size), xattrs }, source: abs, inode }];
  if (st.isSymbolicLink()) return [{ header: { ...base, name: rel, type: 'symlink', xattrs }, inode }];
  if (st.isFIFO()) return [{ header: { ...base, name: rel, type: 'fifo', xattrs }, inode }];
  // glibc's dev_t layout (major/minor macros): 12+ bits of major and 20 of minor, interleaved.
  const device = {
    devmajor: Number(((st.rdev >> 8n) & 0xfffn) | ((st.rdev >> 32n) & 0xfffff000n)),
    devminor: Number((st.rdev & 0xffn) | ((st.rdev >> 12n) & 0xffffff00n)),
  };
  const type = st.isCharacterDevice() ? 'char' : 'block';
  return [{ header: { ...base, ...device, name: rel, type, xattrs }, inode }];
}

/**
 * Moves each directory's whiteouts to right after the directory's own entry (the root's to the
 * start), opaque marker first, the rest in byte order. The OCI image spec asks for whiteouts
 * before their siblings: an applier that honours a marker where it meets it (Docker does)
 * would otherwise delete this layer's own entries that sort before `.wh.`, such as `.bin`.
 */
function whiteoutsFirst(sorted: Planned[]): Planned[] {
  const byDir = new Map<string, Planned[]>();
  for (const p of sorted) {
    if (p.whiteout === undefined) continue;
    const dir = path.posix.dirname(p.header.name);
    const markers = byDir.get(dir) ?? [];
    if (p.whiteout === 'opaque') markers.unshift(p);
    else markers.push(p);
    byDir.set(dir, markers);
  }
  const out: Planned[] = [...(byDir.get('.') ?? [])];
  for (const p of sorted) {
    if (p.whiteout !== undefined) continue;
    out.push(p);
    if (p.header.type === 'dir') out.push(...(byDir.get(p.header.name.slice(0, -1)) ?? []));
  }
  return out;
}

/**
 * Everything under dir (not dir itself), planned as tar entries in byte order of their names,
 * except that whiteouts come first in their directory (see whiteoutsFirst).
 * The walk is synchronous: it is all metadata calls of a few microseconds each, which cost
 * ten times more as thread-pool round trips.
 */
export function planDir(dir: string, epoch: number | undefined, whiteoutsInNameOrder: boolean): Planned[] {
  const planned: Planned[] = [];
  const walk = (absDir: string, relDir: string): void => {
    for (const name of readdirNamesSync(absDir)) {
      const abs = path.join(absDir, name);
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const st = lstatSync(abs, { bigint: true });
      for (const p of plan(abs, rel, st, epoch)) {
        if (p.header.type === 'symlink') p.header.linkname = readlinkNameSync(abs);
        planned.push(p);
      }
      if (st.isDirectory()) walk(abs, rel);
    }
  };
  walk(dir, '');
  const keyed = planned.map((p) => ({ p, key: encodeName(p.header.name) }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  // The first name of an inode in sort order carries it; later names link to that one.
  // Overlayfs shares one inode among whiteouts, which is why they carry no identity.
  const firstName = new Map<string, string>();
  const sorted = keyed.map(({ p }) => p);
  return (whiteoutsInNameOrder ? sorted : whiteoutsFirst(sorted)).map((p) => {
    if (p.inode === undefined) return p;
    const first = firstName.get(p.inode);
    if (first === undefined) {
      firstName.set(p.inode, p.header.name);
      return p;
    }
    const { source: _body, ...rest } = p;
    return { ...rest, header: { ...p.header, type: 'hardlink', linkname: first, size: 0, devmajor: 0, devminor: 0, xattrs: {} } };
  });
}

/**
 * A small file's body in one synchronous read (from the page cache this takes microseconds;
 * open, read and close on the thread pool would take three round trips), or null when the
 * file is too big to read in one go.
 */
function smallFileBody(source: string, size: number, name: string): Buffer | null {
  if (size > SYNC_READ_MAX) return null;
  const fd = openSync(source, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    // One byte more than expected tells a file that grew from one that did not.
    const buf = Buffer.allocUnsafe(size + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
      if (got > size) throw new LayerTarError(`${name} grew while it was being archived`);
    }
    if (got < size) throw new LayerTarError(`${name} shrank while it was being archived`);
    return buf.subarray(0, size);
  } finally {
    closeSync(fd);
  }
}

export async function* fileBody(source: string, size: number, name: string): AsyncGenerator<Buffer> {
  const fh = await openFile(source, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    let left = size;
    while (left > 0) {
      const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, left));
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) throw new LayerTarError(`${name} shrank while it was being archived`);
      left -= bytesRead;
      yield buf.subarray(0, bytesRead);
    }
    if ((await fh.read(Buffer.alloc(1), 0, 1, null)).bytesRead !== 0) throw new LayerTarError(`${name} grew while it was being archived`);
  } finally {
    await fh.close();
  }
}

/** opts.sourceDateEpoch, refused unless whole seconds. */
export function checkedEpoch(opts: LayerTarOptions): number | undefined {
  const epoch = opts.sourceDateEpoch;
  if (epoch !== undefined && !Number.isSafeInteger(epoch)) throw new RangeError(`sourceDateEpoch must be whole seconds, got ${epoch}`);
  return epoch;
}

/**
 * The layer tar's bytes, in order. Small files are read synchronously; the event loop gets
 * a turn every few milliseconds so that other stages of a build keep running.
 */
export async function* layerTarChunks(dir: string, opts: LayerTarOptions = {}): AsyncGenerator<Buffer> {
  const epoch = checkedEpoch(opts);
  let slice = performance.now();
  for (const { header, source } of planDir(dir, epoch, opts.whiteoutsInNameOrder === true)) {
    yield encodeTarHeader(header);
    if (source === undefined) continue;
    const small = smallFileBody(source, header.size, header.name);
    if (small !== null) {
      if (small.length > 0) yield small;
    } else {
      yield* fileBody(source, header.size, header.name);
    }
    yield padding(header.size);
    if (performance.now() - slice > SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
  }
  yield END_OF_ARCHIVE;
}

/** Streams the layer tar of an overlay-format directory; file bodies are read as they are sent. */
export function layerTarStream(dir: string, opts: LayerTarOptions = {}): Readable {
  checkedEpoch(opts);
  return Readable.from(layerTarChunks(dir, opts), { objectMode: false });
}
