import type { BuildEvent } from '../../solver/index.js';
import { formatSeconds, splitLines } from './format.js';
import { assertNever } from '../../errors.js';

interface VertexState {
  number: number;
  name: string;
  started: number;
  ended?: number;
  status: 'running' | 'done' | 'cached' | 'error' | 'canceled';
  tail: string[];
  partial: string;
  /** Finished sub-tasks (`writing image sha256:…`), shown as `=> => name` under the vertex. */
  subtasks: string[];
}

const TAIL_LINES = 6;
/** BuildKit redraws a terminal ten times a second, so timers tick while a step is silent. */
export const REDRAW_MS = 100;

const STATE_LABEL: Partial<Record<VertexState['status'], string>> = { cached: 'CACHED', error: 'ERROR', canceled: 'CANCELED' };

/**
 * BuildKit's tty display: a live list of steps with their state and duration, the last
 * lines of each running step's output, and a total. Redraws in place every 100 ms while
 * the build runs, and once more at the end.
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
      const state = STATE_LABEL[v.status] ?? formatSeconds((v.ended ?? Date.now()) - v.started);
      const label = `${v.status === 'error' ? '=> ERROR' : '=>'} ${v.name}`;
      const room = Math.max(10, width - state.length - 2);
      const shown = label.length > room ? `${label.slice(0, room - 1)}…` : label;
      lines.push(`${shown.padEnd(room)} ${state}`);
      for (const sub of v.subtasks) lines.push(` => => ${sub}`.slice(0, width - 1));
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
          subtasks: [],
        });
        break;
      case 'vertex-log':
        if (v) {
          const { lines, rest } = splitLines(v.partial + event.data);
          v.partial = rest;
          v.tail = [...v.tail, ...lines].slice(-TAIL_LINES);
        }
        break;
      case 'vertex-status':
        v?.subtasks.push(event.name);
        break;
      case 'vertex-cached':
        if (v) Object.assign(v, { status: 'cached', ended: event.time });
        break;
      case 'vertex-done':
        if (v) Object.assign(v, { status: 'done', ended: event.time });
        break;
      case 'vertex-canceled':
        if (v) Object.assign(v, { status: 'canceled', ended: event.time });
        break;
      case 'vertex-error':
        if (v) Object.assign(v, { status: 'error', ended: event.time });
        break;
      case 'vertex-layer':
        break; // layer sizes are for traces and reports, not the live display
      default:
        assertNever(event, 'progress event');
    }
    // The first event starts the clock; from then on the frame is redrawn on a timer.
    timer ??= setInterval(render, REDRAW_MS);
  };

  const finish = (): void => {
    if (timer) clearInterval(timer);
    timer = undefined;
    render();
  };
  return { onEvent, finish };
}
