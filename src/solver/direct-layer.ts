import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayerContext } from './step-context.js';

/**
 * The frame of a step that writes its layer directly, without a sandbox (COPY, ADD, WORKDIR):
 * a fresh layer dir in the store's scratch space, a read-only view of the parent's filesystem
 * (null on scratch) while `write` runs, then the commit as a snapshot on top of `parent`.
 * Returns the new chain ID; the view and scratch dir are gone afterwards, whatever happens.
 */
export async function writeDirectLayer(
  ctx: LayerContext,
  parent: string | null,
  write: (layer: { outDir: string; parentRoot: string | null }) => Promise<void>,
): Promise<string> {
  const { store } = ctx;
  const scratch = await mkdtemp(join(store.tmpDir(), 'layer-'));
  const parentView = parent ? await store.view(parent) : null;
  try {
    const outDir = join(scratch, 'layer');
    await mkdir(outDir);
    await write({ outDir, parentRoot: parentView?.path ?? null });
    const committed = await store.commitSnapshot({ parent, dir: outDir, sourceDateEpoch: ctx.options.sourceDateEpoch });
    return committed.chainId;
  } finally {
    await parentView?.release();
    await rm(scratch, { recursive: true, force: true });
  }
}
