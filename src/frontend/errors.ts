import { TsbuildError } from '../errors.js';
import type { SourceRange } from './source.js';

/** What kind of Dockerfile problem it is; callers branch on this, never on the message. */
export type DockerfileErrorCode = 'dockerfile-syntax' | 'dockerfile-directive' | 'dockerfile-instruction' | 'dockerfile-expansion' | 'dockerfile-stage';

export interface DockerfileErrorOptions {
  code: DockerfileErrorCode;
  /** The Dockerfile's display name (e.g. `Dockerfile`). */
  file: string;
  /** Where the problem is; undefined when it concerns the whole file. */
  range?: SourceRange;
  /** One sentence telling the user what to do about it. */
  hint?: string;
  /** The Dockerfile's lines, when known, so the error can be shown with its excerpt. */
  sourceLines?: readonly string[];
  cause?: unknown;
}

/** A bad Dockerfile: exit code 2, with the place it happened and what to do. */
export class DockerfileError extends TsbuildError {
  readonly code: DockerfileErrorCode;
  readonly exitCode = 2;
  readonly file: string;
  readonly range: SourceRange | undefined;
  readonly hint: string | undefined;
  readonly sourceLines: readonly string[] | undefined;

  constructor(message: string, options: DockerfileErrorOptions) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.file = options.file;
    this.range = options.range;
    this.hint = options.hint;
    this.sourceLines = options.sourceLines;
  }

  /** The same error, carrying the Dockerfile's lines for its excerpt. */
  withSource(lines: readonly string[]): DockerfileError {
    return new DockerfileError(this.message, {
      code: this.code,
      file: this.file,
      ...(this.range ? { range: this.range } : {}),
      ...(this.hint ? { hint: this.hint } : {}),
      sourceLines: lines,
      cause: this.cause,
    });
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
