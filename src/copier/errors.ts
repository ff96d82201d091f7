import { TsbuildError } from '../errors.js';

/**
 * COPY/ADD failed. `exitCode` is 1 when the build's inputs are missing or unusable (a
 * source not found, a bad archive) and 2 when the instruction itself is invalid usage.
 */
export class CopyError extends TsbuildError {
  readonly code = 'copy';
  readonly exitCode: 1 | 2;

  constructor(message: string, options: { usage?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.exitCode = options.usage === true ? 2 : 1;
  }
}
