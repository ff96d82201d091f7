// What `tsbuild build` prints for build checks and where it writes --trace/--report:
// kept here so the build command only wires them in.
import { checkBuild } from '../api/index.js';
import { CheckFailedError, formatCheckReport, formatWarning, formatWarningSummary, type CheckWarning } from '../check/index.js';
import type { BuildOptions } from '../solver/index.js';
import { TraceRecorder, writeTraceFiles } from '../trace/index.js';
import type { ProgressMode } from './progress/index.js';

const jsonLine = (warning: CheckWarning): string => `${JSON.stringify({ type: 'check-warning', warning })}\n`;

/** `--check`: warnings on stdout (JSON lines under --progress rawjson); 1 when there are any. */
export async function runCheckOnly(options: BuildOptions, progress: ProgressMode): Promise<number> {
  const result = await checkBuild(options);
  if (progress === 'rawjson') process.stdout.write(result.warnings.map(jsonLine).join(''));
  else process.stdout.write(formatCheckReport(result.warnings, result.dockerfile.lines));
  return result.warnings.length > 0 ? 1 : 0;
}

/** After a build: `N warnings found:` on stderr (JSON lines under rawjson, nothing when quiet). */
export function printBuildWarnings(warnings: readonly CheckWarning[], progress: ProgressMode): void {
  if (progress === 'quiet') return;
  process.stderr.write(progress === 'rawjson' ? warnings.map(jsonLine).join('') : formatWarningSummary(warnings));
}

/** Before the error of a build that `# check=error=true` stopped: every warning in full. */
export function printCheckFailure(err: unknown, progress: ProgressMode): void {
  if (!(err instanceof CheckFailedError)) return;
  const lines = err.sourceLines ?? [];
  process.stderr.write(progress === 'rawjson' ? err.warnings.map(jsonLine).join('') : err.warnings.map((w) => `${formatWarning(w, lines)}\n`).join(''));
}

/** Records the build for `--trace FILE` / `--report FILE`; undefined when neither is asked for. */
export function traceFiles(files: {
  trace?: string | undefined;
  report?: string | undefined;
}): { onEvent: TraceRecorder['onEvent']; write: () => Promise<void> } | undefined {
  if (files.trace === undefined && files.report === undefined) return undefined;
  const recorder = new TraceRecorder();
  const targets = { ...(files.trace === undefined ? {} : { trace: files.trace }), ...(files.report === undefined ? {} : { report: files.report }) };
  return { onEvent: recorder.onEvent, write: () => writeTraceFiles(recorder, targets) };
}
