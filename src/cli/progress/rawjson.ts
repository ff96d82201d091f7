import type { BuildEvent } from '../../solver/index.js';

/** `--progress=rawjson`: one JSON object per event per line, for machines. */
export function rawJsonRenderer(write: (text: string) => void): (event: BuildEvent) => void {
  return (event) => write(`${JSON.stringify(event)}\n`);
}
