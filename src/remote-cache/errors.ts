import { TsbuildError } from '../errors.js';

/** A build cache that cannot be read or written: not ours, malformed, or with a bad blob. */
export class RemoteCacheError extends TsbuildError {
  readonly code = 'remote-cache';
  readonly exitCode = 1;
}
