import type { Stage } from '../frontend/index.js';
import type { HistoryEntry } from '../image/index.js';
import type { BuildSession } from './session.js';

/**
 * The image history of a stage: its base's history (image config, or the base stage's,
 * recursively) followed by one entry per step, as BuildKit writes them.
 */
export function historyOf(session: BuildSession, stage: Stage, created: string): HistoryEntry[] {
  const base = stage.base;
  const inherited = base.kind === 'stage' ? historyOf(session, session.stageByIndex(base.index), created) : (stage.baseConfig?.history ?? []);
  const own = stage.history.map((h): HistoryEntry => ({
    created,
    created_by: h.createdBy,
    comment: 'buildkit.dockerfile.v0',
    ...(h.emptyLayer ? { empty_layer: true } : {}),
  }));
  return [...inherited, ...own];
}
