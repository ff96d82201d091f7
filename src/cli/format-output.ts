// `--format` of images, inspect and history: a Go template per item, `json` (one object a
// line), or `table …` (a template whose fields name the columns), as docker prints them.
import { compileTemplate } from './go-template.js';

/** Renders `items` with a docker `--format` value; `headers` maps field names to column titles. */
export function formatItems(format: string, items: readonly object[], headers: Record<string, string> = {}): string {
  if (format === 'json') return items.map((item) => `${JSON.stringify(item)}\n`).join('');
  const table = /^table(\s|$)/.test(format);
  const template = compileTemplate(table ? format.slice(5).trimStart() || '{{json .}}' : format);
  // Escapes people type in a shell argument: `\t` and `\n` as two characters.
  const unescape = (s: string): string => s.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const rows = items.map((item) => unescape(template.render(item)));
  if (!table) return rows.map((r) => `${r}\n`).join('');
  const header = template.fields.map((f) => headers[f] ?? f.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase()).join('\t');
  return alignColumns([header, ...rows]);
}

/** Tab-separated cells padded into columns three spaces apart, like docker's tabwriter. */
export function alignColumns(lines: readonly string[]): string {
  const cells = lines.map((l) => l.split('\t'));
  const widths: number[] = [];
  for (const row of cells) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return cells
    .map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]! + 3))).join(''))
    .map((l) => `${l}\n`)
    .join('');
}
