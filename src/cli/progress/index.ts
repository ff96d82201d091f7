// Progress renderers (tty, plain, rawjson) for the solver's build events.
// They only format what they are given; they never decide what happened.
// The mode `auto` picks tty on a terminal, plain elsewhere.
import type { BuildEvent } from '../../solver/index.js';
import { plainRenderer } from './plain.js';
import { rawJsonRenderer } from './rawjson.js';
import { ttyRenderer } from './tty.js';
import { assertNever } from '../../errors.js';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'rawjson' | 'quiet';

export interface Renderer {
  onEvent: (event: BuildEvent) => void;
  /** Draws the final state; call once when the build ends, successfully or not. */
  finish: () => void;
}

/** Picks the renderer for `--progress`: auto is tty on a terminal, plain otherwise. */
export function createRenderer(mode: ProgressMode, stream: NodeJS.WriteStream): Renderer {
  const write = (text: string): void => void stream.write(text);
  const resolved = mode === 'auto' ? (stream.isTTY ? 'tty' : 'plain') : mode;
  switch (resolved) {
    case 'tty':
      return ttyRenderer(stream);
    case 'plain':
      return { onEvent: plainRenderer(write), finish: () => undefined };
    case 'rawjson':
      return { onEvent: rawJsonRenderer(write), finish: () => undefined };
    case 'quiet':
      return { onEvent: () => undefined, finish: () => undefined };
    default:
      return assertNever(resolved, 'progress mode');
  }
}
