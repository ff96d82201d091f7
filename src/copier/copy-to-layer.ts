// COPY and ADD: writes the result of one instruction into an empty layer directory.
import { createReadStream } from '../byte-names.js';
import { lstat, rm, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { extractTarSafely, openTar, toEntryStat } from '../context/index.js';
import type { SourceEntry } from '../context/index.js';
import { parseChmod } from './chmod.js';
import { CopyError } from './errors.js';
import { LayerWriter } from './layer-writer.js';
import { resolveOwner } from './owner.js';
import { planCopy, type CopyPlan } from './plan.js';
import { download, urlFileName } from './remote.js';
import type { CopyItem } from './sources.js';
import type { CopyRequest } from './types.js';

/** Performs the copy; `req.outDir` receives exactly the layer. */
export async function copyToLayer(req: CopyRequest): Promise<void> {
  const plan = await planCopy(req);
  const owner = await resolveOwner(req.parentRoot, req.chown);
  const mode = req.chmod === undefined ? null : parseChmod(req.chmod);
  // --link builds an independent layer: nothing of the parent (dirs, symlinks) is consulted.
  const writer = new LayerWriter({ outDir: req.outDir, parentRoot: req.link ? null : req.parentRoot, owner, mode, reuseDir: req.reuseDir ?? null });
  const dest = await writer.resolve(plan.destPath);
  const destIsDir = plan.destIsDir || (await writer.kindAt(dest)) === 'dir';
  const filter = plan.exclude === null ? null : { matcher: plan.exclude, base: '' };

  for (const item of plan.items) {
    if (req.add !== undefined && req.add.unpack !== false && item.entry.type === 'file') {
      if (await unpackLocal(plan, item, writer, dest, req.outDir, req.chown === undefined ? undefined : owner)) continue;
    }
    await writer.copy(plan.fs, item.entry, targetFor(item, dest, destIsDir, req.parents), filter);
  }
  for (const url of plan.urls) await addUrl(url, req, writer, dest, destIsDir);
  for (const doc of plan.heredocs) {
    const target = destIsDir ? joinLayer(dest, doc.name) : dest;
    await writer.ensureDir(parentOf(target));
    // A fresh file, never a write into one already there: that one may be a hard link into
    // another snapshot (reuseDir).
    const there = await lstat(join(req.outDir, target)).catch(() => null);
    if (there !== null && !there.isDirectory()) await rm(join(req.outDir, target), { force: true });
    await writeFile(join(req.outDir, target), doc.content, { flag: there?.isDirectory() === true ? 'w' : 'wx' });
    writer.invalidate();
    await writer.applyMeta(target, { type: 'file', stat: { mode: 0o644, mtimeNs: BigInt(Date.now()) * 1_000_000n } });
  }
}

/**
 * A directory's contents go into dest, a file to dest or dest/<name>; with --parents
 * both go below dest at their kept path.
 */
function targetFor(item: CopyItem, dest: string, destIsDir: boolean, parents: boolean): string {
  if (parents) return joinLayer(dest, item.under);
  if (item.entry.type === 'dir') return dest;
  return destIsDir ? joinLayer(dest, item.under) : dest;
}

function joinLayer(dir: string, name: string): string {
  if (name === '') return dir;
  return dir === '' ? name : `${dir}/${name}`;
}

function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

/** ADD of a local tar (any supported compression, by content): extracted into dest. */
async function unpackLocal(
  plan: CopyPlan,
  item: CopyItem,
  writer: LayerWriter,
  dest: string,
  outDir: string,
  owner: { uid: number; gid: number } | undefined,
): Promise<boolean> {
  const probe = await openTar(createReadStream(join(plan.fs.root, item.entry.rel)));
  if (probe.tar === null) {
    probe.original?.destroy();
    return false;
  }
  await writer.ensureDir(dest);
  try {
    // --chown replaces the archive's owners; without it they are kept, as `tar -x` does.
    await extractTarSafely(probe.tar, { dest: join(outDir, dest), owner });
  } catch (err) {
    const { UnsafeArchiveError } = await import('../context/safe-extract.js');
    if (err instanceof UnsafeArchiveError) throw new CopyError(`cannot ADD ${item.source}: ${err.message}`, { cause: err });
    throw new CopyError(`cannot extract ${item.source}: ${(err as Error).message}`, { cause: err });
  } finally {
    writer.invalidate();
  }
  return true;
}

async function addUrl(url: string, req: CopyRequest, writer: LayerWriter, dest: string, destIsDir: boolean): Promise<void> {
  const got = await download(url, req.add?.checksum);
  try {
    if (req.add?.unpack === true) {
      const probe = await openTar(createReadStream(got.file));
      if (probe.tar !== null) {
        await writer.ensureDir(dest);
        try {
          await extractTarSafely(probe.tar, { dest: join(req.outDir, dest) });
        } finally {
          writer.invalidate();
        }
        return;
      }
      probe.original?.destroy();
    }
    const target = destIsDir ? joinLayer(dest, urlFileName(url)) : dest;
    const entry: SourceEntry = {
      rel: 'body',
      type: 'file',
      stat: toEntryStat({ mode: 0o100600, uid: 0, gid: 0, size: 0, mtimeNs: 0n, ctimeNs: 0n, ino: 0n }),
    };
    await writer.copy({ root: dirname(got.file), confined: true, entry: async () => entry, children: async () => [] }, entry, target, null);
    writer.invalidate();
    if (got.mtime !== null) await utimes(join(req.outDir, target), got.mtime, got.mtime);
  } finally {
    await rm(dirname(got.file), { recursive: true, force: true });
  }
}
