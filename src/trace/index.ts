// Where the time went: a listener on the build events that records each step's span,
// then writes Chrome trace events (--trace) or a self-contained HTML report (--report).
// It only reads events; it never changes the build.
import { writeFile } from 'node:fs/promises';
import { chromeTrace } from './chrome-trace.js';
import { htmlReport } from './html-report.js';
import { TraceRecorder } from './recorder.js';

export { chromeTrace, type TraceEvent } from './chrome-trace.js';
export { htmlReport } from './html-report.js';
export { TraceRecorder, type Span } from './recorder.js';

/** Writes what `recorder` saw to the trace and/or report files given. */
export async function writeTraceFiles(recorder: TraceRecorder, files: { trace?: string; report?: string }): Promise<void> {
  const spans = recorder.spans();
  if (files.trace !== undefined) await writeFile(files.trace, `${JSON.stringify(chromeTrace(spans))}\n`);
  if (files.report !== undefined) await writeFile(files.report, htmlReport(spans));
}
