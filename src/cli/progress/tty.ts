import type { BuildEvent } from '../../solver/events.js';
import { formatSeconds, splitLines } from './format.js';
import { assertNever } from '../../errors.js';

interface VertexState {
  number: number;
  name: string;
  started: number;
  ended?: number;
  status: 'running' | 'done' | 'cached' | 'error';
  tail: string[];
  partial: string;
}

const TAIL_LINES = 6;

/**
 * BuildKit's tty display: a live list of steps with their state and duration, the last
 * lines of each running step's output, and a total. Redraws in place at most every 100 ms.
 */
export function ttyRenderer(stream: NodeJS.WriteStream): { onEvent: (event: BuildEvent) => void; finish: () => void } {
  const vertices = new Map<number, VertexState>();
  const startedAt = Date.now();
  let drawnLines = 0;
  let timer: NodeJS.Timeout | undefined;

  const render = (): void => {
    const width = stream.columns || 100;
    const all = [...vertices.values()];
    const done = all.filter((v) => v.status !== 'running').length;
    const lines = [`[+] Building ${formatSeconds(Date.now() - startedAt)} (${done}/${all.length})`];
    for (const v of all) {
      const state =
        v.status === 'cached' ? 'CACHED' : v.status === 'error' ? 'ERROR' : formatSeconds((v.ended ?? Date.now()) - v.started);
      const label = `${v.status === 'error' ? '=> ERROR' : '=>'} ${v.name}`;
      const room = Math.max(10, width - state.length - 2);
      const shown = label.length > room ? `${label.slice(0, room - 1)}…` : label;
      lines.push(`${shown.padEnd(room)} ${state}`);
      if (v.status === 'running' || v.status === 'error') {
        for (const line of v.tail) lines.push(` => => # ${line}`.slice(0, width - 1));
      }
    }
    // A frame taller than the terminal cannot be redrawn in place (the cursor stops at the top
    // row): keep the header and the newest lines that fit.
    const fit = Math.max(2, (stream.rows || Infinity) - 1);
    if (lines.length > fit) lines.splice(1, lines.length - fit);
    let out = drawnLines > 0 ? `\x1b[${drawnLines}F` : '';
    out += lines.map((l) => `${l}\x1b[K`).join('\n') + '\n';
    out += '\x1b[J';
    stream.write(out);
    drawnLines = lines.length;
  };

  const schedule = (): void => {
    timer ??= setTimeout(() => {
      timer = undefined;
      render();
    }, 100);
  };

  const onEvent = (event: BuildEvent): void => {
    const v = vertices.get(event.vertex.number);
    switch (event.type) {
      case 'vertex-start':
        vertices.set(event.vertex.number, {
          number: event.vertex.number,
          name: event.vertex.name,
          started: event.time,
          status: 'running',
          tail: [],
          partial: '',
        });
        break;
      case 'vertex-log':
        if (v) {
          const { lines, rest } = splitLines(v.partial + event.data);
          v.partial = rest;
          v.tail = [...v.tail, ...lines].slice(-TAIL_LINES);
        }
        break;
      case 'vertex-cached':
        if (v) Object.assign(v, { status: 'cached', ended: event.time });
        break;
      case 'vertex-done':
        if (v) Object.assign(v, { status: 'done', ended: event.time });
        break;
      case 'vertex-error':
        if (v) Object.assign(v, { status: 'error', ended: event.time });
        break;
      case 'vertex-layer':
        break; // layer sizes are for traces and reports, not the live display
      default:
        assertNever(event, 'progress event');
    }
    schedule();
  };

  const finish = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    render();
  };
  return { onEvent, finish };
}
