import { TsbuildError } from '../errors.js';

/** Prints an error for a person and returns the exit code its family calls for. */
export function reportError(err: unknown): number {
  if (err instanceof TsbuildError) {
    process.stderr.write(`ERROR: ${err.message}\n`);
    return err.exitCode;
  }
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`ERROR: internal error: ${text}\n`);
  return 1;
}
