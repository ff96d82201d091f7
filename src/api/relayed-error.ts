// Errors crossing the IPC channel of an API build in a user namespace keep their class where
// callers test for it (BuildStepError) and their code and exit code otherwise.
import { TsbuildError } from '../errors.js';
import { BuildStepError } from '../solver/index.js';

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  exitCode?: 1 | 2 | 130;
  step?: Pick<BuildStepError, 'step' | 'range' | 'dockerfile' | 'outputTail'>;
}

/** A TsbuildError raised in the user namespace, with its family's code and exit code. */
export class RelayedError extends TsbuildError {
  constructor(
    message: string,
    readonly code: string,
    readonly exitCode: 1 | 2 | 130,
    name: string,
  ) {
    super(message);
    this.name = name;
  }
}

export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const base: SerializedError = { name: err.name, message: err.message, ...(err.stack !== undefined && { stack: err.stack }) };
  if (err instanceof BuildStepError) {
    return { ...base, step: { step: err.step, range: err.range, dockerfile: err.dockerfile, outputTail: err.outputTail } };
  }
  if (err instanceof TsbuildError) return { ...base, code: err.code, exitCode: err.exitCode };
  return base;
}

export function reviveError(e: SerializedError): Error {
  if (e.step) return new BuildStepError({ message: e.message, ...e.step });
  if (e.code !== undefined && e.exitCode !== undefined) return new RelayedError(e.message, e.code, e.exitCode, e.name);
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}
