// Where an archive entry may be written, shared by both extractors (image layers in
// apply-layer.ts, ADD and stdin contexts in context/safe-extract.ts) so the check exists
// once. An entry name becomes path components (no `..`, nothing absolute); the directory
// that receives it is resolved from the root one component at a time with lstat, so no
// symlink, from the archive or already on disk, redirects a write; and that resolved path
// is the one the caller writes. Hardlinks may only point at entries the same archive
// extracted earlier, resolved the same way from the same root (node-tar's hardlink
// advisories came from checking one path and linking another).
import { constants, type Stats } from 'node:fs';
import { bytesFs as fs, fsPath } from '../byte-names.js';
import path from 'node:path';
import { native } from '../native.js';
import type { TarTime } from './tar/index.js';

/**
 * How entry names are read. `strict` (image layers): absolute names and any `..`
 * component are refused. `lexical` (`tar -x`, ADD): leading slashes are dropped and `..`
 * is cleaned lexically; only a name that still climbs above the root is refused.
 */
export type NamePolicy = 'strict' | 'lexical';

export interface ConfinedRootOptions {
  /** Existing directory that receives the entries; nothing outside it is written. */
  root: string;
  names: NamePolicy;
  /** Which earlier entries a hardlink may point at: any non-directory, or regular files only. */
  linkTargets: 'non-directory' | 'file';
  /** The extractor's own error for a refused entry, naming it as the archive does. */
  refuse: (entry: string, reason: string) => Error;
}

/** Where a non-root entry goes: its components, its archive path, and the resolved paths. */
export interface Placement {
  parts: string[];
  /** Normalized archive path (`a/b`), the key hardlinks are checked against. */
  rel: string;
  /** The real directory that holds it. */
  parent: string;
  /** `parent` joined with the last component; nothing below `parent` is followed. */
  target: string;
}

export async function lstatOrNull(p: string): Promise<Stats | null> {
  try {
    return await fs.lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** One extraction's root: resolves entry names into it and remembers what was extracted. */
export class ConfinedRoot {
  readonly root: string;
  private readonly opts: ConfinedRootOptions;
  /** Archive paths of the non-directories extracted so far: the only hardlink targets. */
  private readonly extracted = new Set<string>();
  /** Directory mtimes, by archive path, are set last: creating their children would change them. */
  private readonly dirTimes = new Map<string, { parts: string[]; mtime: TarTime }>();

  constructor(opts: ConfinedRootOptions) {
    this.opts = opts;
    this.root = opts.root;
  }

  /** Components of an archive name (empty for the root itself); refuses names that escape. */
  parts(entry: string, name = entry, what = 'path'): string[] {
    const refuse = (reason: string) => this.opts.refuse(entry, `${what} ${reason}`);
    if (this.opts.names === 'strict') {
      if (name.startsWith('/')) throw refuse('is absolute');
      const parts = name.split('/').filter((p) => p !== '' && p !== '.');
      if (parts.includes('..')) throw refuse("has a '..' component");
      return parts;
    }
    const out: string[] = [];
    for (const part of name.split('/')) {
      if (part === '' || part === '.') continue;
      if (part !== '..') out.push(part);
      else if (out.pop() === undefined) throw refuse('leads outside the destination');
    }
    return out;
  }

  /**
   * Resolves where `entry` goes, or null for the root itself (which no entry replaces).
   * Missing parent directories are made (archives often omit them) when `create` is set.
   */
  async place(entry: string, create: boolean): Promise<Placement | null> {
    const parts = this.parts(entry);
    if (parts.length === 0) return null;
    const parent = await this.resolveParent(entry, parts, create);
    return { parts, rel: parts.join('/'), parent, target: path.join(parent, parts[parts.length - 1]!) };
  }

  /** The real directory holding parts[0..-1], checked one component at a time. */
  private async resolveParent(entry: string, parts: string[], create: boolean): Promise<string> {
    let cur = this.root;
    for (const part of parts.slice(0, -1)) {
      cur = path.join(cur, part);
      let st = await lstatOrNull(cur);
      if (st === null && create) {
        await fs.mkdir(cur, 0o755);
        st = await fs.lstat(cur);
      }
      const rel = path.relative(this.root, cur);
      if (st === null) throw this.opts.refuse(entry, `parent ${rel} does not exist`);
      if (st.isSymbolicLink()) throw this.opts.refuse(entry, `parent ${rel} is a symlink`);
      if (!st.isDirectory()) throw this.opts.refuse(entry, `parent ${rel} is not a directory`);
    }
    return cur;
  }

  /** Records a non-directory written at `rel`: later hardlinks may point at it. */
  extractedAt(rel: string): void {
    this.extracted.add(rel);
  }

  /**
   * The path a hardlink entry at `at` may link to: an entry of this archive extracted
   * earlier, still reached through real directories and of an accepted kind. The returned
   * path is the one checked; link(2) does not follow a final symlink.
   */
  async hardlinkSource(entry: string, linkname: string, at: Placement): Promise<string> {
    const parts = this.parts(entry, linkname, 'hardlink target');
    const rel = parts.join('/');
    if (parts.length === 0) throw this.opts.refuse(entry, 'hardlink target is the destination root');
    if (rel === at.rel) throw this.opts.refuse(entry, 'hardlink to itself');
    if (!this.extracted.has(rel)) throw this.opts.refuse(entry, `hardlink target ${linkname} is not an earlier entry of this archive`);
    const source = path.join(await this.resolveParent(entry, parts, false), parts[parts.length - 1]!);
    const st = await lstatOrNull(source);
    if (st === null) throw this.opts.refuse(entry, `hardlink target ${linkname} no longer exists`);
    if (st.isDirectory()) throw this.opts.refuse(entry, `hardlink target ${linkname} is now a directory`);
    if (this.opts.linkTargets === 'file' && !st.isFile()) throw this.opts.refuse(entry, `hardlink target ${linkname} is not a regular file`);
    return source;
  }

  /** Remembers a directory's mtime, set by `applyDirTimes` once every entry is written. */
  deferDirTime(at: Placement, mtime: TarTime): void {
    this.dirTimes.set(at.rel, { parts: at.parts, mtime });
  }

  /**
   * Sets the deferred directory mtimes. Later entries may have replaced a directory or one
   * above it (even with a symlink), so each path is checked again, not trusted from before.
   */
  async applyDirTimes(): Promise<void> {
    for (const { parts, mtime } of this.dirTimes.values()) {
      const target = await this.realDirectory(parts);
      if (target !== null) native.lutimens(fsPath(target), mtime.sec, mtime.nsec);
    }
  }

  /** root/parts when every component is still a real directory, else null. */
  private async realDirectory(parts: string[]): Promise<string | null> {
    let cur = this.root;
    for (const part of parts) {
      cur = path.join(cur, part);
      const st = await lstatOrNull(cur);
      if (st === null || !st.isDirectory()) return null;
    }
    return cur;
  }
}

/** Clears the way for a new entry; an existing directory stays only when a directory replaces it. */
export async function clearTarget(target: string, keepDir: boolean): Promise<void> {
  const st = await lstatOrNull(target);
  if (st === null || (keepDir && st.isDirectory())) return;
  // rm does not follow symlinks, at the top or inside a directory.
  await fs.rm(target, { recursive: true, force: true });
}

export interface NodeMeta {
  uid: number;
  gid: number;
  /** Permission bits, setuid/setgid/sticky included. */
  mode: number;
}

/** Creates a new regular file at a cleared target (never through a symlink) with `body`, owner and mode. */
export async function writeNewFile(target: string, body: AsyncIterable<Buffer>, meta: NodeMeta): Promise<void> {
  const fh = await fs.open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    for await (const chunk of body) {
      for (let done = 0; done < chunk.length;) done += (await fh.write(chunk, done)).bytesWritten;
    }
    // chown clears setuid/setgid, so the mode comes after it.
    await fh.chown(meta.uid, meta.gid);
    await fh.chmod(meta.mode);
  } finally {
    await fh.close();
  }
}

/** Makes the directory at `target` unless one is there, then sets owner and mode without following a symlink. */
export async function ensureDirectory(target: string, meta: NodeMeta): Promise<void> {
  await clearTarget(target, true);
  if ((await lstatOrNull(target)) === null) await fs.mkdir(target, 0o700);
  const fh = await fs.open(target, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    await fh.chown(meta.uid, meta.gid);
    await fh.chmod(meta.mode);
  } finally {
    await fh.close();
  }
}
