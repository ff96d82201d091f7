import type { TransferListener } from '../image/index.js';
import type { ProgressEmitter, VertexInfo } from './events.js';

/**
 * Per-layer transfer progress (cache import and export) as lines under a build vertex: one
 * when a layer's status changes and one at each quarter of its bytes, so a TTY shows the
 * latest under the running vertex and plain output stays short.
 */
export function transferLog(progress: ProgressEmitter, vertex: VertexInfo): TransferListener {
  const last = new Map<string, string>();
  return ({ id, status, current, total }) => {
    const quarter = current !== undefined && total ? Math.floor((current / total) * 4) : -1;
    const state = `${status} ${quarter}`;
    if (last.get(id) === state) return;
    last.set(id, state);
    const bytes = current === undefined ? '' : ` ${megabytes(current)}${total ? ` / ${megabytes(total)}` : ''}`;
    progress.log(vertex, 'stderr', `${id}: ${status}${bytes}\n`);
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)}MB`;
}
