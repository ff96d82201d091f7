import { TsbuildError } from '../errors.js';

/** This machine or account lacks something a non-root tsbuild needs; the message names the fix. */
export class RootlessError extends TsbuildError {
  readonly code = 'rootless';
  readonly exitCode = 1;
}
