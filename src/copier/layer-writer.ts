// Writes copied entries into an empty layer directory (overlay upper-dir format). Dest
// paths are resolved once against the parent stage (symlinks followed inside its root,
// unless --link), and every directory the layer needs is created with the parent's
// metadata where the parent has it, else as a new 0755 directory owned by the --chown user.
import { copyFile, chmod, lchown, lstat, mkdir, readlink, rm, symlink, utimes, lutimes } from 'node:fs/promises';
import { join } from 'node:path';
import { childFilter, exclusionStep, type TreeFilter } from '../context/checksum.js';
import { goClean, goDir } from '../context/go-path.js';
import type { ParentMatch } from '../context/pattern-matcher.js';
import type { SourceEntry, SourceFs } from '../context/source-fs.js';
import type { ModeChange } from './chmod.js';
import { CopyError } from './errors.js';
import type { Owner } from './owner.js';
import { resolveInRoot } from './resolve-in-root.js';

export interface LayerOptions {
  outDir: string;
  /** The parent stage root, or null for scratch and for --link (nothing of it is seen). */
  parentRoot: string | null;
  owner: Owner;
  mode: ModeChange | null;
}

export type Kind = 'dir' | 'file' | 'symlink' | 'other' | null;

export class LayerWriter {
  constructor(private readonly opts: LayerOptions) {}

  /** The layer path (relative, '' for /) an absolute stage path designates. */
  async resolve(absPath: string): Promise<string> {
    const rel = goClean(absPath).replace(/^\/+/, '');
    if (this.opts.parentRoot === null) return rel;
    const resolved = await resolveInRoot(this.opts.parentRoot, rel, { confined: false, followFinal: true });
    return resolved === '.' ? '' : resolved;
  }

  /** What is at `rel` once this layer is applied: this layer's entry, else the parent's. */
  async kindAt(rel: string): Promise<Kind> {
    const roots = [this.opts.outDir, ...(this.opts.parentRoot === null ? [] : [this.opts.parentRoot])];
    for (const root of roots) {
      const st = await lstat(join(root, rel)).catch(() => null);
      if (st === null) continue;
      return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other';
    }
    return null;
  }

  /** Creates `rel` and its ancestors in the layer, copying the parent's dir metadata where it exists. */
  async ensureDir(rel: string): Promise<void> {
    if (rel === '' || rel === '.') return;
    const parts = rel.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const target = join(this.opts.outDir, prefix);
      const here = await lstat(target).catch(() => null);
      if (here?.isDirectory() === true) continue;
      if (here !== null) throw new CopyError(`cannot create directory /${prefix}: a file of this copy is already there`);
      const inParent = this.opts.parentRoot === null ? null : await lstat(join(this.opts.parentRoot, prefix)).catch(() => null);
      if (inParent !== null && !inParent.isDirectory()) {
        throw new CopyError(`cannot copy into /${prefix}: it is an existing file in the image, not a directory`);
      }
      await mkdir(target);
      if (inParent !== null) {
        await lchown(target, inParent.uid, inParent.gid);
        await chmod(target, inParent.mode & 0o7777);
        await utimes(target, inParent.atime, inParent.mtime);
      } else {
        await lchown(target, this.opts.owner.uid, this.opts.owner.gid);
        await chmod(target, 0o755);
      }
    }
  }

  /**
   * Copies `entry` to layer path `dest`: a directory's contents are merged into `dest`
   * (nested directories take the source's metadata), files and symlinks replace what is there.
   */
  async copy(fs: SourceFs, entry: SourceEntry, dest: string, filter: TreeFilter | null): Promise<void> {
    if (entry.type === 'dir') {
      const kind = await this.kindAt(dest);
      if (kind !== null && kind !== 'dir') {
        throw new CopyError(`cannot copy directory ${entry.rel} to /${dest}: an existing file is there; copy to a new path or a directory`);
      }
      await this.ensureDir(dest);
      await this.copyChildren(fs, entry, dest, filter, null);
      return;
    }
    await this.copyLeaf(fs, entry, dest);
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
      await this.checkNestedDir(target, child);
      await this.copyChildren(fs, child, target, f, step.info);
      // An excluded directory only appears as the parent of re-included entries.
      if (!step.excluded || (await lstat(join(this.opts.outDir, target)).catch(() => null)) !== null) {
        await this.ensureDir(target);
        await this.applyMeta(target, child);
      }
    }
  }

  /**
   * A nested directory must land on a directory or nothing: BuildKit refuses to merge
   * through an existing symlink (`/lib -> usr/lib`) as much as onto a file.
   */
  private async checkNestedDir(target: string, src: SourceEntry): Promise<void> {
    const kind = await this.kindAt(target);
    if (kind !== null && kind !== 'dir') {
      throw new CopyError(`cannot copy directory ${src.rel} to /${target}: cannot copy to non-directory ${kind === 'symlink' ? '(a symlink)' : ''}`.trimEnd());
    }
  }

  private async copyLeaf(fs: SourceFs, entry: SourceEntry, dest: string): Promise<void> {
    if (entry.type === 'other') return;
    if ((await this.kindAt(dest)) === 'dir') {
      throw new CopyError(`cannot copy ${entry.rel} to /${dest}: a directory is there; end the destination with / to copy into it`);
    }
    await this.ensureDir(goDir(dest) === '.' ? '' : goDir(dest));
    const target = join(this.opts.outDir, dest);
    await rm(target, { force: true });
    if (entry.type === 'symlink') {
      await symlink(await readlink(join(fs.root, entry.rel)), target);
      await lchown(target, this.opts.owner.uid, this.opts.owner.gid);
      const t = Number(entry.stat.mtimeNs / 1_000_000n) / 1000;
      await lutimes(target, t, t);
      return;
    }
    await copyFile(join(fs.root, entry.rel), target);
    await this.applyMeta(dest, entry);
  }

  /** Owner from --chown, permissions from the source (or --chmod), mtime from the source. */
  async applyMeta(dest: string, src: { type: string; stat: { mode: number; mtimeNs: bigint } }): Promise<void> {
    const target = join(this.opts.outDir, dest);
    await lchown(target, this.opts.owner.uid, this.opts.owner.gid);
    const perm = src.stat.mode & 0o7777;
    await chmod(target, this.opts.mode === null ? perm : this.opts.mode(perm, src.type === 'dir'));
    const t = Number(src.stat.mtimeNs / 1_000_000n) / 1000;
    await utimes(target, t, t);
  }
}
