import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { materializePath, resolveOwner } from '../copier/index.js';
import type { WorkdirStep } from '../frontend/index.js';
import type { BuildSession } from './session.js';

/**
 * WORKDIR creates its directory (and missing parents) owned by the stage's USER, as
 * BuildKit does; a directory that already exists gives an empty layer.
 */
export async function executeWorkdir(session: BuildSession, step: WorkdirStep, parent: string | null): Promise<string> {
  const { store } = session;
  const scratch = await mkdtemp(join(store.tmpDir(), 'workdir-'));
  const parentRoot = parent ? await session.mounts.overlayView(store.lowerdirs(parent), store.root) : null;
  try {
    const outDir = join(scratch, 'layer');
    await mkdir(outDir);
    const owner = step.user ? await resolveOwner(parentRoot, step.user) : { uid: 0, gid: 0 };
    await materializePath({ outDir, parentRoot, path: step.path, owner });
    const committed = await store.commitSnapshot({ parent, dir: outDir, sourceDateEpoch: session.options.sourceDateEpoch });
    return committed.chainId;
  } finally {
    if (parentRoot) await session.mounts.release(parentRoot);
    await rm(scratch, { recursive: true, force: true });
  }
}
