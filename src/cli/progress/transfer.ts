import type { TransferListener, TransferProgress } from '../../image/index.js';
import { formatBytes } from '../units.js';
import { REDRAW_MS } from './tty.js';

const BAR_WIDTH = 40;

/** `[=====>      ]  1.2MB/2.1MB`, or the bytes alone when the total is unknown. */
export function progressBar(current: number, total: number | undefined): string {
  if (total === undefined || total <= 0) return formatBytes(current);
  const filled = Math.min(BAR_WIDTH, Math.floor((current / total) * BAR_WIDTH));
  const bar = filled >= BAR_WIDTH ? '='.repeat(BAR_WIDTH) : `${'='.repeat(filled)}>${' '.repeat(BAR_WIDTH - filled - 1)}`;
  return `[${bar}]  ${formatBytes(current)}/${formatBytes(total)}`;
}

export interface TransferRenderer {
  onProgress: TransferListener;
  /** Draws the final state; call once when the transfer ends. */
  finish: () => void;
}

/**
 * Docker's pull/push display: on a terminal one line per layer, redrawn in place ten times a
 * second with a byte bar; otherwise a plain line each time a layer's status changes.
 */
export function transferRenderer(stream: NodeJS.WriteStream): TransferRenderer {
  const layers = new Map<string, TransferProgress>();
  if (!stream.isTTY) {
    return {
      onProgress: (p) => {
        if (layers.get(p.id)?.status !== p.status) stream.write(`${p.id}: ${p.status}\n`);
        layers.set(p.id, p);
      },
      finish: () => undefined,
    };
  }
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  const render = (): void => {
    const width = stream.columns || 100;
    const lines = [...layers.values()].map((p) =>
      `${p.id}: ${p.status}${p.current !== undefined ? ` ${progressBar(p.current, p.total)}` : ''}`.slice(0, width - 1),
    );
    stream.write(`${drawn > 0 ? `\x1b[${drawn}F` : ''}${lines.map((l) => `${l}\x1b[K\n`).join('')}`);
    drawn = lines.length;
  };
  return {
    onProgress: (p) => {
      layers.set(p.id, p);
      timer ??= setInterval(render, REDRAW_MS);
    },
    finish: () => {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (layers.size > 0) render();
    },
  };
}
