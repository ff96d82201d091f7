/**
 * Base of every error tsbuild reports to a user. Each module defines its own family
 * (a subclass with a literal `code`); the CLI maps families to exit codes through
 * `exitCode`: 2 for bad usage or a bad Dockerfile, 1 for a build that failed, 130 for one
 * that was canceled (Ctrl-C), as shells report SIGINT.
 */
export abstract class TsbuildError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: 1 | 2 | 130;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad command-line usage: unknown flag, missing argument, bad value. */
export class UsageError extends TsbuildError {
  readonly code = 'usage';
  readonly exitCode = 2;
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
