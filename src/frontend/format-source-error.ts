import type { SourceRange } from './source.js';

/** What an excerpt needs: a Dockerfile error, or a build step that failed at a line. */
export interface LocatedProblem {
  file: string;
  range?: SourceRange | undefined;
  message: string;
  hint?: string | undefined;
}

/** Lines of context printed around the failing range, as BuildKit does. */
const CONTEXT_LINES = 2;
const RULE = '--------------------';

/**
 * Renders a DockerfileError the way BuildKit prints source errors: the file and line,
 * the lines around the range with `>>>` on the failing ones, then the message and hint.
 * An error with no range (a --target typo) is the message alone, as BuildKit prints it.
 */
export function formatSourceError(err: LocatedProblem, lines: readonly string[]): string {
  const out = formatExcerpt(err.file, err.range, lines);
  out.push(`ERROR: ${err.message}`);
  if (err.hint) out.push(`hint: ${err.hint}`);
  return `${out.join('\n')}\n`;
}

/** `Dockerfile:LINE` and the lines around `range`, `>>>` on its own; nothing without a range. */
export function formatExcerpt(file: string, range: SourceRange | undefined, lines: readonly string[]): string[] {
  const out: string[] = [];
  if (range && lines.length > 0) {
    const start = Math.min(Math.max(range.start.line, 1), lines.length);
    const end = Math.min(Math.max(range.end.line, start), lines.length);
    out.push(start === end ? `${file}:${start}` : `${file}:${start}-${end}`, RULE);
    const first = Math.max(1, start - CONTEXT_LINES);
    const last = Math.min(lines.length, end + CONTEXT_LINES);
    const width = Math.max(4, String(last).length);
    for (let n = first; n <= last; n++) {
      const marker = n >= start && n <= end ? '>>>' : '   ';
      const text = (lines[n - 1] ?? '').replace(/\r$/, '');
      out.push(`${String(n).padStart(width)} | ${marker} ${text}`.trimEnd());
    }
    out.push(RULE);
  }
  return out;
}
