// WORKDIR's directory: created in a layer with the same rules COPY uses for its dest
// (symlinks resolved inside the stage root, existing parents keep their metadata).
import { LayerWriter } from './layer-writer.js';
import type { Owner } from './owner.js';

export interface MaterializePathOptions {
  /** Empty layer directory. */
  outDir: string;
  /** The stage root, or null for scratch. */
  parentRoot: string | null;
  /** Absolute path in the stage. */
  path: string;
  /** Owner of the directories created. */
  owner: Owner;
}

/** Creates `path` and its missing parents in the layer; an existing directory leaves the layer empty. */
export async function materializePath(opts: MaterializePathOptions): Promise<void> {
  const writer = new LayerWriter({ outDir: opts.outDir, parentRoot: opts.parentRoot, owner: opts.owner, mode: null, reuseDir: null });
  const target = await writer.resolve(opts.path);
  if ((await writer.kindAt(target)) === 'dir') return;
  await writer.ensureDir(target);
}
