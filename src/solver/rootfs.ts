import { assertNever } from '../errors.js';
import type { StageBase } from '../frontend/index.js';
import type { BuildSession } from './session.js';

/**
 * A read-only directory holding the filesystem of a stage, an image or a named context:
 * what COPY --from and RUN --mount=from= read. Mounted once per build and reused. An image is
 * taken for the target platform, as BuildKit does for the implicit stage of `--from=IMAGE`.
 */
export function rootfsOf(session: BuildSession, from: StageBase): Promise<string> {
  const id = JSON.stringify(from);
  let view = session.rootfsViews.get(id);
  if (!view) {
    view = mountRootfs(session, from);
    session.rootfsViews.set(id, view);
  }
  return view;
}

async function mountRootfs(session: BuildSession, from: StageBase): Promise<string> {
  switch (from.kind) {
    case 'scratch':
      return session.store.emptyDir();
    case 'stage':
      return viewOfLayers(session, (await session.stageOutput(from.index)).layers);
    case 'image': {
      const image = await session.baseImages.resolve(from.ref, session.options.platform);
      return viewOfLayers(session, image.chainIds);
    }
    case 'context': {
      const named = session.options.buildContexts[from.name];
      if (named === undefined) throw new Error(`named context "${from.name}" was not given`);
      if (named.kind === 'dir') return named.path;
      return viewOfLayers(session, (await session.baseImages.resolve(named.ref, session.options.platform)).chainIds);
    }
    default:
      return assertNever(from, 'stage base');
  }
}

/** Stays mounted until the build ends (the store's views are released then). */
async function viewOfLayers(session: BuildSession, layers: string[]): Promise<string> {
  const top = layers.at(-1);
  if (top === undefined) return session.store.emptyDir();
  return (await session.store.view(top)).path;
}
