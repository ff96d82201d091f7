// Spans → one self-contained HTML page (no scripts, no external files) for a CI
// artifact: the build's timeline with a row per stage, so parallel stages show side by
// side, then every step with its time, cache hit and layer size, slowest first.
import { stageLabel, type Span } from './recorder.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

interface Row {
  label: string;
  spans: Span[];
}

/** One row per stage in stage order, internal work first. */
function rows(spans: readonly Span[]): Row[] {
  const byTrack = new Map<number, Row>();
  for (const span of spans) {
    const track = span.step ? span.step.stage : -1;
    let row = byTrack.get(track);
    if (!row) {
      row = { label: span.step ? stageLabel(span.step) : 'internal', spans: [] };
      byTrack.set(track, row);
    }
    row.spans.push(span);
  }
  return [...byTrack.entries()].sort((a, b) => a[0] - b[0]).map(([, row]) => row);
}

function status(span: Span): 'cached' | 'error' | 'ran' {
  return span.error !== undefined ? 'error' : span.cached ? 'cached' : 'ran';
}

function duration(span: Span): number {
  return (span.end ?? span.start) - span.start;
}

function timeline(spans: readonly Span[], origin: number, total: number): string {
  const pct = (ms: number): string => `${((ms / total) * 100).toFixed(3)}%`;
  return rows(spans)
    .map((row) => {
      const bars = row.spans
        .map((s) => {
          const title = `${s.name} — ${formatDuration(duration(s))}${s.cached ? ' (cached)' : ''}`;
          const label = s.step?.instruction ?? s.name;
          return `<div class="bar ${status(s)}" style="left:${pct(s.start - origin)};width:max(${pct(duration(s))},2px)" title="${esc(title)}"><span>${esc(label)}</span></div>`;
        })
        .join('');
      return `<div class="row"><div class="label">${esc(row.label)}</div><div class="lane">${bars}</div></div>`;
    })
    .join('\n');
}

function stepTable(spans: readonly Span[]): string {
  const steps = spans.filter((s) => s.step).sort((a, b) => duration(b) - duration(a) || a.start - b.start);
  const body = steps
    .map((s) => {
      const size = s.layerBytes === undefined ? '' : formatBytes(s.layerBytes);
      return (
        `<tr class="${status(s)}"><td class="step">${esc(s.step!.instruction)}</td><td>${esc(stageLabel(s.step!))}</td>` +
        `<td class="num">${formatDuration(duration(s))}</td><td>${status(s) === 'cached' ? 'cache hit' : status(s) === 'error' ? 'failed' : 'ran'}</td><td class="num">${size}</td></tr>`
      );
    })
    .join('\n');
  return `<table><thead><tr><th>Step</th><th>Stage</th><th>Time</th><th>Cache</th><th>Layer size</th></tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.summary{color:#555}
.row{display:flex;align-items:center;margin:4px 0}
.label{width:140px;flex:none;font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.lane{position:relative;flex:1;height:26px;background:#f3f4f6;border-radius:3px}
.bar{position:absolute;top:3px;height:20px;border-radius:3px;overflow:hidden;white-space:nowrap;font-size:11px;line-height:20px;box-sizing:border-box;padding:0 4px;color:#fff}
.bar.ran{background:#2563eb}.bar.cached{background:#9ca3af}.bar.error{background:#dc2626}
.legend span{display:inline-block;padding:0 8px;margin-right:8px;border-radius:3px;color:#fff;font-size:12px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e5e7eb}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.step{font-family:ui-monospace,monospace}
tr.cached td{color:#6b7280}tr.error td{color:#b91c1c}
`;

/** The page for `--report FILE.html`. */
export function htmlReport(spans: readonly Span[], title = 'tsbuild build report'): string {
  const origin = spans.length > 0 ? Math.min(...spans.map((s) => s.start)) : 0;
  const end = spans.length > 0 ? Math.max(...spans.map((s) => s.end ?? s.start)) : 0;
  const total = Math.max(end - origin, 1);
  const steps = spans.filter((s) => s.step);
  const hits = steps.filter((s) => s.cached).length;
  const bytes = steps.reduce((n, s) => n + (s.cached ? 0 : (s.layerBytes ?? 0)), 0);
  const summary = `${formatDuration(end - origin)} total · ${steps.length} steps · ${hits} cache hit${hits === 1 ? '' : 's'} · ${formatBytes(bytes)} written`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="summary">${esc(summary)}</p>
<h2>Timeline</h2>
<p class="legend"><span class="bar ran" style="position:static">ran</span><span class="bar cached" style="position:static">cached</span><span class="bar error" style="position:static">failed</span></p>
<div class="timeline">
${timeline(spans, origin, total)}
</div>
<h2>Steps, slowest first</h2>
${stepTable(spans)}
</body></html>
`;
}
