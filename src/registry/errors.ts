import { TsbuildError } from '../errors.js';

/**
 * What went wrong talking to a registry. Callers branch on this, never on the message:
 * `unavailable` is the only reason worth retrying, `upload-interrupted` carries a session
 * that `pushBlob(…, { resume })` can continue.
 */
export type RegistryErrorReason =
  | 'unauthorized'
  | 'denied'
  | 'not-found'
  | 'digest-mismatch'
  | 'size-mismatch'
  | 'unavailable'
  | 'upload-interrupted'
  | 'protocol'
  | 'no-matching-platform'
  | 'bad-docker-config';

/** Where a chunked upload stopped: the last upload URL the registry gave and how many bytes it holds. */
export interface UploadSession {
  location: string;
  offset: number;
}

export class RegistryError extends TsbuildError {
  readonly code = 'registry';
  readonly exitCode = 1;
  readonly reason: RegistryErrorReason;
  /** HTTP status of the response that failed, when there was one. */
  readonly status: number | undefined;
  /** Set when `reason` is `upload-interrupted`. */
  readonly upload: UploadSession | undefined;

  constructor(reason: RegistryErrorReason, message: string, options: { cause?: unknown; status?: number; upload?: UploadSession } = {}) {
    super(message, { cause: options.cause });
    this.reason = reason;
    this.status = options.status;
    this.upload = options.upload;
  }
}

export function isRegistryError(err: unknown, reason?: RegistryErrorReason): err is RegistryError {
  return err instanceof RegistryError && (reason === undefined || err.reason === reason);
}
