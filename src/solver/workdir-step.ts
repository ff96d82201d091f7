import { materializePath, resolveOwner } from '../copier/index.js';
import type { WorkdirStep } from '../frontend/index.js';
import { writeDirectLayer } from './direct-layer.js';
import type { LayerContext } from './step-context.js';

/**
 * WORKDIR creates its directory (and missing parents) owned by the stage's USER, as
 * BuildKit does; a directory that already exists gives an empty layer.
 */
export function executeWorkdir(ctx: LayerContext, step: WorkdirStep, parent: string | null): Promise<string> {
  return writeDirectLayer(ctx, parent, async ({ outDir, parentRoot }) => {
    const owner = step.user ? await resolveOwner(parentRoot, step.user) : { uid: 0, gid: 0 };
    await materializePath({ outDir, parentRoot, path: step.path, owner });
  });
}
