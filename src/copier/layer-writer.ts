// Writes copied entries into an empty layer directory (overlay upper-dir format). Dest
// paths are resolved once against the parent stage (symlinks followed inside its root,
// unless --link), and every directory the layer needs is created with the parent's
// metadata where the parent has it, else as a new 0755 directory owned by the --chown user.
//
// Speed: a COPY of thousands of small files is dominated by per-call overhead, not by the
// kernel: every async fs call is a thread-pool round trip (~0.1 ms on a busy 2-core VM)
// while the syscall itself takes microseconds. So the writer issues the same syscalls
// synchronously, yields to the event loop every few milliseconds, and copies large files
// on the thread pool a few at a time. It also remembers what it created itself, so it
// never lstats a path it already knows: a directory it made with mkdir holds exactly what
// it put there (callers that write into the layer by other means call `invalidate()`), and
// nothing below a directory the parent stage lacks exists in the parent stage.
import type { Stats } from 'node:fs';
import {
  chmodSync,
  copyFile,
  copyFileSync,
  fsPath,
  linkSync,
  lchownSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readlinkNameSync,
  rmSync,
  symlinkSync,
  utimesSync,
} from '../byte-names.js';
import { join } from 'node:path';
import { childFilter, exclusionStep, type TreeFilter } from '../context/index.js';
import { goClean, goDir } from '../match/index.js';
import type { ParentMatch } from '../match/index.js';
import type { SourceEntry, SourceFs } from '../context/index.js';
import type { ModeChange } from './chmod.js';
import { CopyError } from './errors.js';
import type { Owner } from './owner.js';
import { native } from '../native.js';
import { resolveInRoot } from './resolve-in-root.js';

export interface LayerOptions {
  outDir: string;
  /** The parent stage root, or null for scratch and for --link (nothing of it is seen). */
  parentRoot: string | null;
  owner: Owner;
  mode: ModeChange | null;
  /** An earlier snapshot of the same instruction whose identical files are hard-linked (see CopyRequest.reuseDir). */
  reuseDir?: string | null;
}

export type Kind = 'dir' | 'file' | 'symlink' | 'other' | null;

/** Files at least this big are copied on the thread pool instead of blocking the event loop. */
const ASYNC_COPY_MIN = 1024 * 1024;
/** Large-file copies in flight at once. */
const ASYNC_COPIES = 4;
/** Longest stretch of synchronous work before the event loop gets a turn. */
const SLICE_MS = 10;

function kindOf(st: Stats): Kind {
  return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other';
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** Files up to this size are compared for reuse; bigger ones are copied. */
const REUSE_MAX = 16 * 1024 * 1024;

function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

export class LayerWriter {
  /** Directories this writer made with mkdir: their contents are exactly `made`'s entries below them. */
  private readonly fresh = new Set<string>();
  /** What this writer put at each layer path. */
  private readonly made = new Map<string, Exclude<Kind, null>>();
  /** Layer paths known to be absent from the parent stage (so is everything below them). */
  private readonly absentInParent = new Set<string>();
  /** Large-file copies under way, each applying its metadata when done. */
  private readonly pending = new Set<Promise<void>>();
  private failure: unknown = undefined;
  private sliceStart = performance.now();

  constructor(private readonly opts: LayerOptions) {}

  /** The layer path (relative, '' for /) an absolute stage path designates. */
  async resolve(absPath: string): Promise<string> {
    const rel = goClean(absPath).replace(/^\/+/, '');
    if (this.opts.parentRoot === null) return rel;
    const resolved = await resolveInRoot(this.opts.parentRoot, rel, { confined: false, followFinal: true });
    return resolved === '.' ? '' : resolved;
  }

  /** Forgets what the writer knows about the layer dir: call after writing into it by other means. */
  invalidate(): void {
    this.fresh.clear();
    this.made.clear();
  }

  /** What is at `rel` once this layer is applied: this layer's entry, else the parent's. */
  async kindAt(rel: string): Promise<Kind> {
    return this.kindAtSync(rel);
  }

  /** Creates `rel` and its ancestors in the layer, copying the parent's dir metadata where it exists. */
  async ensureDir(rel: string): Promise<void> {
    await this.settle();
    this.ensureDirSync(rel);
  }

  /**
   * Copies `entry` to layer path `dest`: a directory's contents are merged into `dest`
   * (nested directories take the source's metadata), files and symlinks replace what is there.
   */
  async copy(fs: SourceFs, entry: SourceEntry, dest: string, filter: TreeFilter | null): Promise<void> {
    try {
      if (entry.type === 'dir') {
        const kind = this.kindAtSync(dest);
        if (kind !== null && kind !== 'dir') {
          throw new CopyError(`cannot copy directory ${entry.rel} to /${dest}: an existing file is there; copy to a new path or a directory`);
        }
        this.ensureDirSync(dest);
        await this.copyChildren(fs, entry, dest, filter, null);
      } else {
        await this.copyLeaf(fs, entry, dest);
      }
    } catch (err) {
      // Nothing keeps writing into the layer once this returns; the first error is the one reported.
      await this.settle().catch(() => {});
      throw err;
    }
    await this.settle();
  }

  /** Owner from --chown, permissions from the source (or --chmod), mtime from the source. */
  async applyMeta(dest: string, src: { type: string; stat: { mode: number; mtimeNs: bigint } }): Promise<void> {
    this.applyMetaSync(dest, src);
  }

  private kindAtSync(rel: string): Kind {
    const mine = this.layerKind(rel);
    if (mine !== null) return mine;
    return this.parentKind(rel);
  }

  /** This layer's entry at `rel`, from memory when its directory is one the writer made. */
  private layerKind(rel: string): Kind {
    if (rel !== '' && this.fresh.has(parentOf(rel))) return this.made.get(rel) ?? null;
    const st = lstatOrNull(join(this.opts.outDir, rel));
    return st === null ? null : kindOf(st);
  }

  private parentKind(rel: string): Kind {
    if (this.opts.parentRoot === null || this.parentAbsent(rel)) return null;
    const st = lstatOrNull(join(this.opts.parentRoot, rel));
    return st === null ? null : kindOf(st);
  }

  private parentAbsent(rel: string): boolean {
    if (this.absentInParent.size === 0) return false;
    for (let p = rel; p !== ''; p = parentOf(p)) if (this.absentInParent.has(p)) return true;
    return false;
  }

  private ensureDirSync(rel: string): void {
    if (rel === '' || rel === '.') return;
    if (this.made.get(rel) === 'dir') return;
    const parts = rel.split('/');
    let prefix = '';
    for (const part of parts) {
      prefix = prefix === '' ? part : `${prefix}/${part}`;
      const here = this.layerKind(prefix);
      if (here === 'dir') continue;
      if (here !== null) throw new CopyError(`cannot create directory /${prefix}: a file of this copy is already there`);
      const inParent = this.opts.parentRoot === null || this.parentAbsent(prefix) ? null : lstatOrNull(join(this.opts.parentRoot, prefix));
      if (inParent !== null && !inParent.isDirectory()) {
        throw new CopyError(`cannot copy into /${prefix}: it is an existing file in the image, not a directory`);
      }
      const target = join(this.opts.outDir, prefix);
      mkdirSync(target);
      this.fresh.add(prefix);
      this.made.set(prefix, 'dir');
      if (inParent !== null) {
        lchownSync(target, inParent.uid, inParent.gid);
        chmodSync(target, inParent.mode & 0o7777);
        utimesSync(target, inParent.atime, inParent.mtime);
      } else {
        if (this.opts.parentRoot !== null) this.absentInParent.add(prefix);
        lchownSync(target, this.opts.owner.uid, this.opts.owner.gid);
        chmodSync(target, 0o755);
      }
    }
  }

  private async copyChildren(fs: SourceFs, dir: SourceEntry, dest: string, filter: TreeFilter | null, parent: ParentMatch | null): Promise<void> {
    for (const child of await fs.children(dir.rel)) {
      const name = child.rel.slice(child.rel.lastIndexOf('/') + 1);
      const f = childFilter(filter, name);
      const step = exclusionStep(f, parent);
      const target = dest === '' ? name : `${dest}/${name}`;
      if (child.type !== 'dir') {
        if (!step.excluded) await this.copyLeaf(fs, child, target);
        continue;
      }
      if (step.prune) continue;
      this.checkNestedDir(target, child);
      await this.copyChildren(fs, child, target, f, step.info);
      // An excluded directory only appears as the parent of re-included entries.
      if (!step.excluded || this.layerKind(target) !== null) {
        // A directory's times are set last: finish the copies that create entries in it first.
        await this.settle();
        this.ensureDirSync(target);
        this.applyMetaSync(target, child);
      }
    }
  }

  /**
   * A nested directory must land on a directory or nothing: BuildKit refuses to merge
   * through an existing symlink (`/lib -> usr/lib`) as much as onto a file.
   */
  private checkNestedDir(target: string, src: SourceEntry): void {
    const kind = this.kindAtSync(target);
    if (kind !== null && kind !== 'dir') {
      throw new CopyError(
        `cannot copy directory ${src.rel} to /${target}: cannot copy to non-directory ${kind === 'symlink' ? '(a symlink)' : ''}`.trimEnd(),
      );
    }
  }

  private async copyLeaf(fs: SourceFs, entry: SourceEntry, dest: string): Promise<void> {
    if (entry.type === 'other') return;
    if (this.failure !== undefined) await this.settle();
    if (this.kindAtSync(dest) === 'dir') {
      throw new CopyError(`cannot copy ${entry.rel} to /${dest}: a directory is there; end the destination with / to copy into it`);
    }
    const dir = goDir(dest) === '.' ? '' : goDir(dest);
    this.ensureDirSync(dir);
    const target = join(this.opts.outDir, dest);
    const inFresh = this.fresh.has(dir);
    if (!inFresh || this.made.has(dest)) {
      // A large copy to this very path may still be running: let it finish before replacing it.
      if (this.made.has(dest)) await this.settle();
      rmSync(target, { force: true });
    }
    const source = join(fs.root, entry.rel);
    if (entry.type === 'symlink') {
      symlinkSync(readlinkNameSync(source), target);
      this.made.set(dest, 'symlink');
      lchownSync(target, this.opts.owner.uid, this.opts.owner.gid);
      const t = Number(entry.stat.mtimeNs / 1_000_000n) / 1000;
      lutimesSync(target, t, t);
    } else if (this.reuse(source, entry, dest, target)) {
      this.made.set(dest, 'file');
    } else if (entry.stat.size >= ASYNC_COPY_MIN) {
      this.made.set(dest, 'file');
      while (this.pending.size >= ASYNC_COPIES) await Promise.race(this.pending);
      const job: Promise<void> = copyFile(source, target)
        .then(() => this.applyMetaSync(dest, entry))
        .catch((err: unknown) => {
          this.failure ??= err;
        })
        .finally(() => this.pending.delete(job));
      this.pending.add(job);
    } else {
      copyFileSync(source, target);
      this.made.set(dest, 'file');
      this.applyMetaSync(dest, entry);
    }
    await this.maybeYield();
  }

  /**
   * Hard-links the file at `dest` in the reuse dir when it is exactly what copying `source`
   * would make: a regular file with no xattrs, the same owner, permissions and mtime, and the
   * same bytes (compared in full). Snapshots are never written to, so sharing the inode is safe;
   * overlay copy-up gives a RUN step its own copy.
   */
  private reuse(source: string, entry: SourceEntry, dest: string, target: string): boolean {
    const dir = this.opts.reuseDir;
    if (dir === null || dir === undefined || entry.stat.size > REUSE_MAX) return false;
    const candidate = join(dir, dest);
    const st = lstatSync(candidate, { bigint: true, throwIfNoEntry: false });
    const perm = entry.stat.mode & 0o7777;
    const wantMode = this.opts.mode === null ? perm : this.opts.mode(perm, false);
    // applyMeta sets the mtime from whole milliseconds through a double (libuv keeps
    // microseconds, rounding down), so the same source millisecond always lands on the same
    // nanoseconds, a few microseconds from it, and different milliseconds never come closer.
    const drift = st === undefined ? 0n : st.mtimeNs - (entry.stat.mtimeNs / 1_000_000n) * 1_000_000n;
    if (
      st === undefined ||
      !st.isFile() ||
      Number(st.size) !== entry.stat.size ||
      Number(st.mode & 0o7777n) !== wantMode ||
      Number(st.uid) !== this.opts.owner.uid ||
      Number(st.gid) !== this.opts.owner.gid ||
      drift <= -100_000n ||
      drift >= 100_000n
    ) {
      return false;
    }
    if (Object.keys(native.lgetxattrs(fsPath(candidate))).length > 0) return false;
    if (!native.sameFileBytes(fsPath(source), fsPath(candidate), entry.stat.size)) return false;
    linkSync(candidate, target);
    return true;
  }

  private applyMetaSync(dest: string, src: { type: string; stat: { mode: number; mtimeNs: bigint } }): void {
    const target = join(this.opts.outDir, dest);
    lchownSync(target, this.opts.owner.uid, this.opts.owner.gid);
    const perm = src.stat.mode & 0o7777;
    chmodSync(target, this.opts.mode === null ? perm : this.opts.mode(perm, src.type === 'dir'));
    const t = Number(src.stat.mtimeNs / 1_000_000n) / 1000;
    utimesSync(target, t, t);
  }

  /** Waits for the large-file copies under way and rethrows the first failure. */
  private async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
    if (this.failure !== undefined) {
      const err = this.failure;
      this.failure = undefined;
      throw err;
    }
  }

  private async maybeYield(): Promise<void> {
    const now = performance.now();
    if (now - this.sliceStart < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.sliceStart = performance.now();
  }
}
