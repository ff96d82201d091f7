import { TsbuildError } from '../errors.js';

/**
 * The sandbox could not be set up or the command could not be started (unknown USER, missing
 * executable, failed mount). A command that runs and fails is a result, not this error.
 */
export class SandboxError extends TsbuildError {
  readonly code = 'sandbox';
  readonly exitCode = 1;
}
