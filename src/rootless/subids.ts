import { readFileSync } from 'node:fs';

export interface SubordinateRange {
  start: number;
  count: number;
}

/**
 * The first range of `/etc/subuid` or `/etc/subgid` that belongs to the user, named or by
 * number (shadow's newuidmap accepts both), or undefined when there is none.
 */
export function subordinateRange(file: string, name: string | undefined, id: number): SubordinateRange | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [owner, start, count] = line.trim().split(':');
    if (owner === undefined || start === undefined || count === undefined) continue;
    if (owner !== name && owner !== String(id)) continue;
    const range = { start: Number(start), count: Number(count) };
    if (Number.isSafeInteger(range.start) && Number.isSafeInteger(range.count) && range.count > 0) return range;
  }
  return undefined;
}
