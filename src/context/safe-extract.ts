// Extracts a tar stream like `tar -x`, but refuses anything that would land outside the
// destination: `..` entries, writes through a symlink (one in the archive or already on
// disk), and hard links to outside. Where each entry may go is decided once, by the
// resolver shared with layer extraction (src/image/safe-path.ts), and that resolved path
// is the one written (see node-tar's hardlink advisories). The archive is read by
// tsbuild's own tar reader, so PAX owners, nanosecond and out-of-32-bit mtimes survive.
import { bytesFs as fs, fsPath } from '../byte-names.js';
import type { Readable } from 'node:stream';
import { ConfinedRoot, clearTarget, ensureDirectory, writeNewFile, type Placement, readTar, type TarEntry } from '../image/index.js';
import { native } from '../native.js';
import { assertNever } from '../errors.js';

/** An archive entry that would escape the destination. */
export class UnsafeArchiveError extends Error {
  readonly code = 'unsafe-archive';
  constructor(
    readonly entry: string,
    reason: string,
  ) {
    super(`refusing archive entry ${JSON.stringify(entry)}: ${reason}`);
    this.name = 'UnsafeArchiveError';
  }
}

export interface ExtractOptions {
  /** Existing directory that receives the entries. */
  dest: string;
  /**
   * Owner for every entry but symlinks (BuildKit leaves those as archived); the archive's
   * owners are kept when omitted.
   */
  owner?: { uid: number; gid: number };
}

/**
 * Extracts `tar` (uncompressed) into `dest`, merging with what is there. Directory
 * mtimes are set last, once their contents are written, as `tar -x` and BuildKit do.
 */
export async function extractTarSafely(tar: Readable, opts: ExtractOptions): Promise<void> {
  const root = new ConfinedRoot({
    root: opts.dest,
    names: 'lexical',
    linkTargets: 'file',
    refuse: (entry, reason) => new UnsafeArchiveError(entry, reason),
  });
  for await (const { header, body } of readTar(tar)) {
    const at = await root.place(header.name, true);
    if (at === null) continue; // the destination itself keeps its own metadata
    await extractEntry({ root, owner: opts.owner }, at, { header, body });
  }
  await root.applyDirTimes();
}

interface Extraction {
  root: ConfinedRoot;
  owner: ExtractOptions['owner'];
}

async function extractEntry({ root, owner }: Extraction, at: Placement, { header: h, body }: TarEntry): Promise<void> {
  const { target } = at;
  const meta = { ...(owner ?? { uid: h.uid, gid: h.gid }), mode: h.mode };
  switch (h.type) {
    case 'dir':
      await ensureDirectory(target, meta);
      root.deferDirTime(at, h.mtime);
      return;
    case 'file':
      await clearTarget(target, false);
      await writeNewFile(target, body, meta);
      break;
    case 'symlink':
      await clearTarget(target, false);
      await fs.symlink(h.linkname, target);
      await fs.lchown(target, h.uid, h.gid);
      break;
    case 'hardlink': {
      const source = await root.hardlinkSource(h.name, h.linkname, at);
      await clearTarget(target, false);
      await fs.link(source, target);
      // As in Docker's extraction, the link's header sets owner, mode and time of the shared
      // inode; hardlinkSource admits regular files only, so chmod cannot follow a symlink.
      await fs.lchown(target, meta.uid, meta.gid);
      await fs.chmod(target, meta.mode);
      break;
    }
    case 'char':
    case 'block':
    case 'fifo':
      // Devices and fifos are not recreated: a build layer gains nothing from them.
      return;
    default:
      assertNever(h.type, 'tar entry type');
  }
  native.lutimens(fsPath(target), h.mtime.sec, h.mtime.nsec);
  root.extractedAt(at.rel);
}
