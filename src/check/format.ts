// How check warnings are shown: in full (`--check`, BuildKit's layout with the source
// excerpt) or as the one-line-each summary a normal build ends with.
import { formatExcerpt } from '../frontend/index.js';
import type { CheckWarning } from './types.js';

/** `WARNING: Rule - link`, the sentence, then `Dockerfile:LINE` and the lines around it. */
export function formatWarning(w: CheckWarning, lines: readonly string[]): string {
  const head = w.url ? `WARNING: ${w.rule} - ${w.url}` : `WARNING: ${w.rule}`;
  return `${[head, w.message, ...formatExcerpt(w.file, w.range, lines)].join('\n')}\n`;
}

/** What `--check` prints: a count, then each warning in full. */
export function formatCheckReport(warnings: readonly CheckWarning[], lines: readonly string[]): string {
  if (warnings.length === 0) return 'Check complete, no warnings found.\n';
  const count = warnings.length === 1 ? '1 warning has' : `${warnings.length} warnings have`;
  return [`Check complete, ${count} been found!\n`, ...warnings.map((w) => formatWarning(w, lines))].join('\n');
}

/** What a build prints after it: `N warnings found:` and one line per warning. */
export function formatWarningSummary(warnings: readonly CheckWarning[]): string {
  if (warnings.length === 0) return '';
  const head = `${warnings.length} warning${warnings.length === 1 ? '' : 's'} found:`;
  return `${[head, ...warnings.map((w) => ` - ${w.rule}: ${w.message} (line ${w.line})`)].join('\n')}\n`;
}
