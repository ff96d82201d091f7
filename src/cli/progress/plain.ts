import type { BuildEvent } from '../../solver/index.js';
import { formatSeconds, splitLines } from './format.js';
import { assertNever } from '../../errors.js';

/**
 * BuildKit's `--progress=plain`: `#N name`, the step's output lines as `#N 0.532 line` (seconds
 * since the step started), `#N writing image sha256:… done` for sub-tasks, then
 * `#N DONE 0.4s`, `#N CACHED`, `#N CANCELED` or `#N ERROR: …`.
 */
export function plainRenderer(write: (text: string) => void): (event: BuildEvent) => void {
  const partial = new Map<number, string>();
  const started = new Map<number, number>();
  const elapsed = (n: number, time: number): string => ((time - (started.get(n) ?? time)) / 1000).toFixed(3);
  const flush = (n: number, time: number): void => {
    const rest = partial.get(n);
    if (rest) write(`#${n} ${elapsed(n, time)} ${rest}\n`);
    partial.delete(n);
  };
  return (event) => {
    const n = event.vertex.number;
    switch (event.type) {
      case 'vertex-start':
        started.set(n, event.time);
        write(`#${n} ${event.vertex.name}\n`);
        break;
      case 'vertex-log': {
        const { lines, rest } = splitLines((partial.get(n) ?? '') + event.data);
        for (const line of lines) write(`#${n} ${elapsed(n, event.time)} ${line}\n`);
        partial.set(n, rest);
        break;
      }
      case 'vertex-status':
        write(`#${n} ${event.name} done\n`);
        break;
      case 'vertex-cached':
        write(`#${n} CACHED\n\n`);
        break;
      case 'vertex-done':
        flush(n, event.time);
        write(`#${n} DONE ${formatSeconds(event.durationMs)}\n\n`);
        break;
      case 'vertex-canceled':
        flush(n, event.time);
        write(`#${n} CANCELED\n\n`);
        break;
      case 'vertex-error':
        flush(n, event.time);
        write(`#${n} ERROR: ${event.message}\n\n`);
        break;
      case 'vertex-layer':
        break; // layer sizes are for traces and reports, not the live display
      default:
        assertNever(event, 'progress event');
    }
  };
}
