import { TsbuildError } from '../errors.js';
import type { SourceRange } from './source.js';

/** What kind of Dockerfile problem it is; callers branch on this, never on the message. */
export type DockerfileErrorCode =
  | 'dockerfile-syntax'
  | 'dockerfile-directive'
  | 'dockerfile-instruction'
  | 'dockerfile-expansion'
  | 'dockerfile-stage';

export interface DockerfileErrorOptions {
  code: DockerfileErrorCode;
  /** The Dockerfile's display name (e.g. `Dockerfile`). */
  file: string;
  /** Where the problem is; undefined when it concerns the whole file. */
  range?: SourceRange;
  /** One sentence telling the user what to do about it. */
  hint?: string;
  cause?: unknown;
}

/** A bad Dockerfile: exit code 2, with the place it happened and what to do. */
export class DockerfileError extends TsbuildError {
  readonly code: DockerfileErrorCode;
  readonly exitCode = 2;
  readonly file: string;
  readonly range: SourceRange | undefined;
  readonly hint: string | undefined;

  constructor(message: string, options: DockerfileErrorOptions) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.file = options.file;
    this.range = options.range;
    this.hint = options.hint;
  }
}

/**
 * A problem found while the location is not known yet (inside an instruction parser);
 * the dispatcher turns it into a DockerfileError carrying the node's range.
 */
export class InstructionProblem extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly code: DockerfileErrorCode = 'dockerfile-instruction',
  ) {
    super(message);
  }
}
