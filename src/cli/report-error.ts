import { TsbuildError } from '../errors.js';
import { DockerfileError, formatSourceError } from '../frontend/index.js';
import { BuildStepError } from '../solver/errors.js';

/**
 * Prints an error for a person and returns the exit code its family calls for. Errors
 * with a Dockerfile location show the lines around it, as BuildKit does; a failed step
 * also shows the last lines it printed.
 */
export function reportError(err: unknown): number {
  process.stderr.write(describeError(err));
  return err instanceof TsbuildError ? err.exitCode : 1;
}

export function describeError(err: unknown): string {
  if (err instanceof BuildStepError) {
    const tail = err.outputTail.length > 0 ? `${err.outputTail.map((l) => `${l}\n`).join('')}` : '';
    const header = `------\n > ${err.step}:\n${tail}------\n`;
    return header + formatSourceError({ file: err.dockerfile.name, range: err.range, message: `failed to solve: ${err.message}` }, err.dockerfile.lines);
  }
  if (err instanceof DockerfileError) {
    return formatSourceError(err, err.sourceLines ?? []);
  }
  if (err instanceof TsbuildError) return `ERROR: ${err.message}\n`;
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return `ERROR: internal error: ${text}\n`;
}
