import type { BuildEvent } from '../../solver/events.js';
import { formatSeconds, splitLines } from './format.js';
import { assertNever } from '../../errors.js';

/**
 * BuildKit's `--progress=plain`: `#N name`, the step's output lines prefixed with `#N`,
 * then `#N DONE 0.4s`, `#N CACHED` or `#N ERROR: …`.
 */
export function plainRenderer(write: (text: string) => void): (event: BuildEvent) => void {
  const partial = new Map<number, string>();
  const flush = (n: number): void => {
    const rest = partial.get(n);
    if (rest) write(`#${n} ${rest}\n`);
    partial.delete(n);
  };
  return (event) => {
    const n = event.vertex.number;
    switch (event.type) {
      case 'vertex-start':
        write(`#${n} ${event.vertex.name}\n`);
        break;
      case 'vertex-log': {
        const { lines, rest } = splitLines((partial.get(n) ?? '') + event.data);
        for (const line of lines) write(`#${n} ${line}\n`);
        partial.set(n, rest);
        break;
      }
      case 'vertex-cached':
        write(`#${n} CACHED\n\n`);
        break;
      case 'vertex-done':
        flush(n);
        write(`#${n} DONE ${formatSeconds(event.durationMs)}\n\n`);
        break;
      case 'vertex-error':
        flush(n);
        write(`#${n} ERROR: ${event.message}\n\n`);
        break;
      case 'vertex-layer':
        break; // layer sizes are for traces and reports, not the live display
      default:
        assertNever(event, 'progress event');
    }
  };
}
