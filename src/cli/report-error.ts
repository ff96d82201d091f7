import { TsbuildError } from '../errors.js';
import { DockerfileError, formatSourceError } from '../frontend/index.js';
import { BuildStepError } from '../solver/index.js';

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
  if (process.env.TSBUILD_DEBUG === '1') return `ERROR: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`;
  if (err instanceof TsbuildError) return `ERROR: ${err.message}\n`;
  // A system call the machine refused (a path, a permission, the disk): the sentence is the user's to act on.
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).syscall === 'string') return `ERROR: ${err.message}\n`;
  const text = err instanceof Error ? err.message : String(err);
  return `ERROR: ${text}\n(unexpected: run again with TSBUILD_DEBUG=1 to see where it came from)\n`;
}
