import { levenshtein } from '../frontend/index.js';

/**
 * BuildKit's suggest.Search, case-sensitive as on Linux: the nearest name fewer than
 * three edits away, none when `name` itself is among them.
 */
export function suggestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let min = 3;
  for (const c of candidates) {
    if (c === name) return undefined;
    const d = levenshtein(name, c);
    if (d < min) {
      best = c;
      min = d;
    }
  }
  return best;
}
