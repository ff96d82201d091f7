// Extracts a tar stream like `tar -x`, but refuses anything that would land outside the
// destination: `..` entries, writes through a symlink (one in the archive or already on
// disk), and hard links to outside. Every path is resolved once, from the same base, and
// that resolved path is the one checked and written (see node-tar's hardlink advisories).
import { createWriteStream } from 'node:fs';
import { chmod, link, lchown, lstat, lutimes, mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, type Header } from 'tar-stream';
import { goClean } from './go-path.js';

/** An archive entry that would escape the destination. */
export class UnsafeArchiveError extends Error {
  readonly code = 'unsafe-archive';
  constructor(readonly entry: string, reason: string) {
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

/** Extracts `tar` into `dest`. */
export async function extractTarSafely(tar: Readable, opts: ExtractOptions): Promise<void> {
  const ex = extract();
  tar.on('error', (err) => ex.destroy(err));
  tar.pipe(ex);
  for await (const entry of ex) {
    const rel = entryPath(entry.header.name);
    if (rel === null) {
      entry.resume();
      continue;
    }
    await ensureParents(opts.dest, rel, entry.header.name);
    const target = join(opts.dest, rel);
    const wrote = await writeEntry(entry as unknown as Readable, entry.header, target, opts);
    if (wrote) {
      const archived = { uid: entry.header.uid ?? 0, gid: entry.header.gid ?? 0 };
      const owner = entry.header.type === 'symlink' ? archived : (opts.owner ?? archived);
      await lchown(target, owner.uid, owner.gid);
      if (entry.header.type !== 'symlink') await chmod(target, (entry.header.mode ?? 0o644) & 0o7777);
      const mtime = entry.header.mtime ?? new Date(0);
      await lutimes(target, mtime, mtime);
    }
  }
}

/** The cleaned relative path of an entry, null for the root itself; throws when it escapes. */
function entryPath(name: string): string | null {
  const rel = goClean(name.replace(/^\/+/, ''));
  if (rel === '.') return null;
  if (rel === '..' || rel.startsWith('../')) throw new UnsafeArchiveError(name, 'its path leads outside the destination');
  return rel;
}

/** Creates missing parent dirs; a parent that is a symlink would redirect the write, so it is refused. */
async function ensureParents(dest: string, rel: string, name: string): Promise<void> {
  const parts = rel.split('/').slice(0, -1);
  let cur = dest;
  for (const part of parts) {
    cur = join(cur, part);
    const st = await lstat(cur).catch(() => null);
    if (st === null) await mkdir(cur, { mode: 0o755 });
    else if (st.isSymbolicLink()) throw new UnsafeArchiveError(name, `its parent ${part} is a symlink`);
    else if (!st.isDirectory()) throw new UnsafeArchiveError(name, `its parent ${part} is not a directory`);
  }
}

async function writeEntry(body: Readable, h: Header, target: string, opts: ExtractOptions): Promise<boolean> {
  const existing = await lstat(target).catch(() => null);
  if (h.type === 'directory') {
    body.resume();
    if (existing?.isDirectory() === true) return true;
    if (existing !== null) await rm(target, { recursive: true, force: true });
    await mkdir(target, { mode: 0o755 });
    return true;
  }
  if (h.type !== 'file' && h.type !== 'contiguous-file' && h.type !== 'symlink' && h.type !== 'link') {
    // Devices, fifos and the like are not recreated: a build layer gains nothing from them.
    body.resume();
    return false;
  }
  if (existing !== null) await rm(target, { recursive: true, force: true });
  if (h.type === 'symlink') {
    body.resume();
    await symlink(h.linkname ?? '', target);
  } else if (h.type === 'link') {
    body.resume();
    const linked = entryPath(h.linkname ?? '');
    if (linked === null) throw new UnsafeArchiveError(h.name, 'it hard-links to the destination root');
    await ensureParents(opts.dest, linked, h.name);
    const source = join(opts.dest, linked);
    const st = await lstat(source).catch(() => null);
    if (st === null || !st.isFile()) throw new UnsafeArchiveError(h.name, `its hard-link target ${h.linkname} is not a file extracted earlier`);
    await link(source, target);
  } else {
    await pipeline(body, createWriteStream(target, { mode: 0o600 }));
  }
  return true;
}
