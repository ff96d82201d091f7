import { TsbuildError } from '../errors.js';

/** The store is damaged, misused or cannot do what was asked (a build or command fails). */
export class StoreError extends TsbuildError {
  readonly code = 'store';
  readonly exitCode = 1;
}

/** A name or ID the user gave matches no image in the store. */
export class ImageNotFoundError extends TsbuildError {
  readonly code = 'image-not-found';
  readonly exitCode = 1;

  constructor(readonly ref: string) {
    super(`no such image: ${ref}`);
  }
}

/** Content whose hash differs from the digest it was announced or stored under. */
export class DigestMismatchError extends TsbuildError {
  readonly code = 'digest-mismatch';
  readonly exitCode = 1;

  constructor(
    readonly what: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${what}: digest mismatch: expected ${expected}, got ${actual}`);
  }
}
