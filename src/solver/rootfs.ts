import { resolve } from 'node:path';
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
    case 'stage': {
      const output = await session.stageOutputs.get(from.index);
      if (!output) throw new Error(`stage ${from.index} was not scheduled`);
      return viewOfLayers(session, output.layers);
    }
    case 'image': {
      const image = await session.baseImages.resolve(from.ref, session.options.platform);
      return viewOfLayers(session, image.chainIds);
    }
    case 'context': {
      const source = session.options.buildContexts[from.name];
      if (source === undefined) throw new Error(`named context "${from.name}" was not given`);
      if (source.startsWith('docker-image://')) {
        const image = await session.baseImages.resolve(source.slice('docker-image://'.length), session.options.platform);
        return viewOfLayers(session, image.chainIds);
      }
      return resolve(source);
    }
  }
}

async function viewOfLayers(session: BuildSession, layers: string[]): Promise<string> {
  const top = layers.at(-1);
  if (top === undefined) return session.store.emptyDir();
  return session.mounts.overlayView(session.store.lowerdirs(top), session.store.root);
}
