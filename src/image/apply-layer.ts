// Extracts a layer tar into an overlay-format snapshot directory: `.wh.<name>` becomes a
// char device 0/0 named <name>, `.wh..wh..opq` the xattr trusted.overlay.opaque=y on its
// directory. Markers apply only to lower layers (OCI image spec), in whatever order the tar
// has them: this layer's own entries survive a marker met after them. Nothing is written
// outside `dir`: where each entry may go is decided by ./safe-path.ts (strict names: no
// `..`, nothing absolute), shared with ADD's extractor.
import { constants, type Stats } from 'node:fs';
import { bytesFs as fs, fsPath } from '../byte-names.js';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { assertNever, TsbuildError } from '../errors.js';
import { fsProblem } from '../fs-problem.js';
import { native } from '../native.js';
import { inUserNamespace, OVERLAY_XATTR_PREFIXES, overlayXattrPrefix } from '../rootless/index.js';
import { uncompressedLayer } from './layer-input.js';
import { ConfinedRoot, clearTarget, ensureDirectory, lstatOrNull, writeNewFile } from './safe-path.js';
import { readTar, type TarHeader } from './tar/index.js';

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
// trusted.overlay.* (or user.overlay.*, a rootless store's) itself could plant redirects or
// metacopy files in the snapshot.

/** An attribute the filesystem refused, named; applyLayer adds the entry. */
class XattrProblem extends Error {}

function setXattrs(target: string, xattrs: Record<string, Buffer>): void {
  for (const [name, value] of Object.entries(xattrs)) {
    if (OVERLAY_XATTR_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    try {
      native.lsetxattr(fsPath(target), name, value);
    } catch (err) {
      const problem = fsProblem(err);
      // Named here: the caller knows the entry but not which of its attributes failed.
      if (problem !== undefined) throw new XattrProblem(`${problem}: ${JSON.stringify(name.slice(0, 100))}`, { cause: err });
      throw err;
    }
  }
}

function markOpaque(dir: string): void {
  native.lsetxattr(fsPath(dir), `${overlayXattrPrefix()}opaque`, Buffer.from('y'));
}

const isWhiteoutDevice = (st: Stats | null): boolean => st !== null && st.isCharacterDevice() && st.rdev === 0;

const DEVICE_TYPE = { char: constants.S_IFCHR, block: constants.S_IFBLK, fifo: constants.S_IFIFO } as const;

function makeNode(h: TarHeader, type: keyof typeof DEVICE_TYPE, target: string): void {
  try {
    native.mknod(fsPath(target), DEVICE_TYPE[type], h.devmajor, h.devminor);
  } catch (err) {
    // A user namespace's root may make fifos and whiteouts, never a real device.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM' || type === 'fifo' || !inUserNamespace()) throw err;
    throw new LayerApplyError(
      h.name,
      `a ${type} device node (${h.devmajor}:${h.devminor}) cannot be created in rootless mode; remove it from the image (RUN steps get /dev from the sandbox) or use tsbuild as root`,
    );
  }
}

async function applyEntry(root: ConfinedRoot, h: TarHeader, body: AsyncIterable<Buffer>): Promise<void> {
  const at = await root.place(h.name, true);
  if (at === null) return; // `./`: the snapshot root itself, which a layer does not change
  const { parent, target } = at;
  const base = at.parts[at.parts.length - 1]!;

  if (base === OPAQUE_MARKER) {
    markOpaque(parent);
    return;
  }
  if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return; // aufs bookkeeping (.wh..wh.plnk), meaningless here
  if (base.startsWith(WHITEOUT_PREFIX)) {
    const hidden = base.slice(WHITEOUT_PREFIX.length);
    if (hidden === '' || hidden === '.' || hidden === '..') throw new LayerApplyError(h.name, 'whiteout of no name');
    const whiteout = path.join(parent, hidden);
    // The snapshot starts empty, so whatever is there came earlier in this layer and stays:
    // a non-directory hides the lower one already; a directory must hide the lower one's content.
    const existing = await lstatOrNull(whiteout);
    if (existing?.isDirectory()) markOpaque(whiteout);
    if (existing !== null) return;
    native.mknod(fsPath(whiteout), constants.S_IFCHR, 0, 0);
    native.lutimens(fsPath(whiteout), h.mtime.sec, h.mtime.nsec);
    return;
  }

  switch (h.type) {
    case 'dir': {
      // A directory after its own whiteout replaces the lower one, content and all.
      const replacesLower = isWhiteoutDevice(await lstatOrNull(target));
      await ensureDirectory(target, h);
      if (replacesLower) markOpaque(target);
      setXattrs(target, h.xattrs);
      root.deferDirTime(at, h.mtime);
      return;
    }
    case 'hardlink': {
      // The link shares the target's inode, mode, owner and times: none are set again.
      const source = await root.hardlinkSource(h.name, h.linkname, at);
      await clearTarget(target, false);
      await fs.link(source, target);
      root.extractedAt(at.rel);
      return;
    }
    case 'file':
      await clearTarget(target, false);
      await writeNewFile(target, body, h);
      break;
    case 'symlink':
      await clearTarget(target, false);
      await fs.symlink(h.linkname, target);
      await fs.lchown(target, h.uid, h.gid);
      break;
    case 'char':
    case 'block':
    case 'fifo':
      await clearTarget(target, false);
      makeNode(h, h.type, target);
      await fs.lchown(target, h.uid, h.gid);
      // The node was just made at this resolved path and is not a symlink, so chmod stays on it.
      await fs.chmod(target, h.mode);
      break;
    default:
      assertNever(h.type, 'tar entry type');
  }
  // xattrs after chown, which drops security.capability.
  setXattrs(target, h.xattrs);
  native.lutimens(fsPath(target), h.mtime.sec, h.mtime.nsec);
  root.extractedAt(at.rel);
}

/**
 * Applies a layer tar (plain or gzip) to an overlay-format snapshot directory. On error
 * the directory is left part-written and should be discarded; nothing outside it is touched.
 */
export async function applyLayer(tar: Readable, dir: string): Promise<ApplyLayerResult> {
  const root = new ConfinedRoot({
    root: await fs.realpath(dir),
    names: 'strict',
    linkTargets: 'non-directory',
    refuse: (entry, reason) => new LayerApplyError(entry, reason),
  });
  let entries = 0;
  for await (const { header, body } of readTar(uncompressedLayer(tar))) {
    try {
      await applyEntry(root, header, body);
    } catch (err) {
      const problem = err instanceof XattrProblem ? err.message : err instanceof TsbuildError ? undefined : fsProblem(err);
      if (problem !== undefined) throw new LayerApplyError(header.name, problem);
      throw err;
    }
    entries++;
  }
  await root.applyDirTimes();
  return { entries };
}
