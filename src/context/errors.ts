import { TsbuildError } from '../errors.js';

/** The build context cannot be read or used: missing dir, bad .dockerignore, hostile tar. */
export class ContextError extends TsbuildError {
  readonly code = 'context';
  readonly exitCode = 1;
}
