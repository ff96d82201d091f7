// Extracts a layer tar into an overlay-format snapshot directory: `.wh.<name>` becomes a
// char device 0/0 named <name>, `.wh..wh..opq` the xattr trusted.overlay.opaque=y on its
// directory. Nothing is written outside `dir`: every path is resolved once, component by
// component with lstat (no symlink, no `..`), and that same resolved path is the one
// written. Hardlinks may only point at entries this archive already extracted.
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { TsbuildError } from '../errors.js';
import { native } from '../native.js';
import { uncompressedLayer } from './layer-input.js';
import { readTar, type TarHeader, type TarTime } from './tar/index.js';

/** A layer entry that would write outside the snapshot or through a link; names the entry. */
export class LayerApplyError extends TsbuildError {
  readonly code = 'unsafe-layer-entry';
  readonly exitCode = 1;

  constructor(
    readonly entry: string,
    reason: string,
  ) {
    super(`layer entry ${JSON.stringify(entry)} refused: ${reason}`);
  }
}

export interface ApplyLayerResult {
  /** Tar entries read, markers and skipped entries included. */
  entries: number;
}

const OPAQUE_MARKER = '.wh..wh..opq';
const WHITEOUT_PREFIX = '.wh.';
// Overlay bookkeeping comes only from the whiteout markers above: a tar that carried
// trusted.overlay.* itself could plant redirects or metacopy files in the snapshot.
const OVERLAY_XATTR = 'trusted.overlay.';

/** Path components of an archive name, or a refusal for absolute names and `..`. */
function components(name: string, entry: string, what = 'path'): string[] {
  if (name.startsWith('/')) throw new LayerApplyError(entry, `${what} is absolute`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new LayerApplyError(entry, `${what} has a '..' component`);
  return parts;
}

async function lstatOrNull(p: string) {
  try {
    return await fs.lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * The real directory that holds parts[0..-1], checked one component at a time. Missing
 * directories are made (tars often omit parents) only when `create` is set.
 */
async function resolveParent(root: string, parts: string[], entry: string, create: boolean): Promise<string> {
  let cur = root;
  for (const part of parts.slice(0, -1)) {
    cur = path.join(cur, part);
    let st = await lstatOrNull(cur);
    if (st === null && create) {
      await fs.mkdir(cur, 0o755);
      st = await fs.lstat(cur);
    }
    if (st === null) throw new LayerApplyError(entry, `${part} does not exist`);
    if (st.isSymbolicLink()) throw new LayerApplyError(entry, `path passes through the symlink ${path.relative(root, cur)}`);
    if (!st.isDirectory()) throw new LayerApplyError(entry, `${path.relative(root, cur)} is not a directory`);
  }
  return cur;
}

/** root/parts when every component is still a real directory, else null. */
async function realDirectory(root: string, parts: string[]): Promise<string | null> {
  let cur = root;
  for (const part of parts) {
    cur = path.join(cur, part);
    const st = await lstatOrNull(cur);
    if (st === null || !st.isDirectory()) return null;
  }
  return cur;
}

/** Clears the way for a new entry; an existing directory stays only when a directory replaces it. */
async function clear(target: string, keepDir: boolean): Promise<void> {
  const st = await lstatOrNull(target);
  if (st === null || (keepDir && st.isDirectory())) return;
  // rm does not follow symlinks, at the top or inside a directory.
  await fs.rm(target, { recursive: true, force: true });
}

function setXattrs(target: string, xattrs: Record<string, Buffer>): void {
  for (const [name, value] of Object.entries(xattrs)) {
    if (!name.startsWith(OVERLAY_XATTR)) native.lsetxattr(target, name, value);
  }
}

async function writeFile(target: string, h: TarHeader, body: AsyncIterable<Buffer>): Promise<void> {
  const fh = await fs.open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    for await (const chunk of body) await fh.write(chunk);
    // chown clears setuid/setgid, so the mode comes after it.
    await fh.chown(h.uid, h.gid);
    await fh.chmod(h.mode);
  } finally {
    await fh.close();
  }
}

const DEVICE_TYPE = { char: constants.S_IFCHR, block: constants.S_IFBLK, fifo: constants.S_IFIFO } as const;

interface Applier {
  root: string;
  /** Archive paths (normalized) of the non-directories extracted so far: the only hardlink targets. */
  extracted: Set<string>;
  /** Directory mtimes, by archive path, are set last: creating their children would change them. */
  dirTimes: Map<string, { parts: string[]; mtime: TarTime }>;
}

async function applyHardlink(a: Applier, h: TarHeader, target: string, rel: string): Promise<void> {
  const linkParts = components(h.linkname, h.name, 'hardlink target');
  const linkRel = linkParts.join('/');
  if (linkRel === rel) throw new LayerApplyError(h.name, 'hardlink to itself');
  if (!a.extracted.has(linkRel)) throw new LayerApplyError(h.name, `hardlink target ${h.linkname} is not an earlier entry of this layer`);
  // Resolved here once; this exact path is what link(2) gets (which never follows a final symlink).
  const source = path.join(await resolveParent(a.root, linkParts, h.name, false), linkParts[linkParts.length - 1]!);
  const st = await lstatOrNull(source);
  if (st === null || st.isDirectory()) throw new LayerApplyError(h.name, `hardlink target ${h.linkname} is no longer a file`);
  await clear(target, false);
  await fs.link(source, target);
}

async function applyEntry(a: Applier, h: TarHeader, body: AsyncIterable<Buffer>): Promise<void> {
  const parts = components(h.name, h.name);
  if (parts.length === 0) return; // `./`: the snapshot root itself, which a layer does not change
  const base = parts[parts.length - 1]!;
  const parent = await resolveParent(a.root, parts, h.name, true);
  const rel = parts.join('/');

  if (base === OPAQUE_MARKER) {
    native.lsetxattr(parent, 'trusted.overlay.opaque', Buffer.from('y'));
    return;
  }
  if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return; // aufs bookkeeping (.wh..wh.plnk), meaningless here
  if (base.startsWith(WHITEOUT_PREFIX)) {
    const hidden = base.slice(WHITEOUT_PREFIX.length);
    if (hidden === '' || hidden === '.' || hidden === '..') throw new LayerApplyError(h.name, 'whiteout of no name');
    const target = path.join(parent, hidden);
    await clear(target, false);
    native.mknod(target, constants.S_IFCHR, 0, 0);
    native.lutimens(target, h.mtime.sec, h.mtime.nsec);
    return;
  }

  const target = path.join(parent, base);
  switch (h.type) {
    case 'dir': {
      await clear(target, true);
      if ((await lstatOrNull(target)) === null) await fs.mkdir(target, 0o700);
      const fh = await fs.open(target, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      try {
        await fh.chown(h.uid, h.gid);
        await fh.chmod(h.mode);
      } finally {
        await fh.close();
      }
      setXattrs(target, h.xattrs);
      a.dirTimes.set(rel, { parts, mtime: h.mtime });
      return;
    }
    case 'hardlink':
      // The link shares the target's inode, mode, owner and times: none are set again.
      await applyHardlink(a, h, target, rel);
      a.extracted.add(rel);
      return;
    case 'file':
      await clear(target, false);
      await writeFile(target, h, body);
      break;
    case 'symlink':
      await clear(target, false);
      await fs.symlink(h.linkname, target);
      await fs.lchown(target, h.uid, h.gid);
      break;
    case 'char':
    case 'block':
    case 'fifo':
      await clear(target, false);
      native.mknod(target, DEVICE_TYPE[h.type], h.devmajor, h.devminor);
      await fs.lchown(target, h.uid, h.gid);
      // The node was just made at this resolved path and is not a symlink, so chmod stays on it.
      await fs.chmod(target, h.mode);
      break;
  }
  // xattrs after chown, which drops security.capability.
  setXattrs(target, h.xattrs);
  native.lutimens(target, h.mtime.sec, h.mtime.nsec);
  a.extracted.add(rel);
}

/**
 * Applies a layer tar (plain or gzip) to an overlay-format snapshot directory. On error
 * the directory is left part-written and should be discarded; nothing outside it is touched.
 */
export async function applyLayer(tar: Readable, dir: string): Promise<ApplyLayerResult> {
  const a: Applier = { root: await fs.realpath(dir), extracted: new Set(), dirTimes: new Map() };
  let entries = 0;
  for await (const { header, body } of readTar(uncompressedLayer(tar))) {
    await applyEntry(a, header, body);
    entries++;
  }
  for (const { parts, mtime } of a.dirTimes.values()) {
    // Later entries may have replaced a directory or one above it (even with a symlink),
    // so each path is checked again rather than trusted from when it was made.
    const target = await realDirectory(a.root, parts);
    if (target !== null) native.lutimens(target, mtime.sec, mtime.nsec);
  }
  return { entries };
}
