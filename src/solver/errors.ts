import { TsbuildError } from '../errors.js';
import type { SourceRange } from '../frontend/index.js';

/**
 * A step that ran and failed (non-zero exit, a missing COPY source …): the build failed, exit
 * 1; exit 2 when the cause is a bad instruction (an invalid --chown or --chmod).
 */
export class BuildStepError extends TsbuildError {
  readonly code = 'build-step-failed';
  readonly exitCode: 1 | 2;
  /** `[build 2/4] RUN make`: the step as progress showed it. */
  readonly step: string;
  readonly range: SourceRange;
  readonly dockerfile: { name: string; lines: string[] };
  /** The last lines the step printed, for the error report. */
  readonly outputTail: string[];

  constructor(init: {
    message: string;
    step: string;
    range: SourceRange;
    dockerfile: { name: string; lines: string[] };
    outputTail?: string[];
    cause?: unknown;
  }) {
    super(init.message, { cause: init.cause });
    this.exitCode = init.cause instanceof TsbuildError && init.cause.exitCode === 2 ? 2 : 1;
    this.step = init.step;
    this.range = init.range;
    this.dockerfile = init.dockerfile;
    this.outputTail = init.outputTail ?? [];
  }
}

/** A base image that is neither in the store nor on a reachable registry. */
export class BaseImageError extends TsbuildError {
  readonly code = 'base-image-not-found';
  readonly exitCode = 1;
}

/** The build was canceled (Ctrl-C, or the API's `signal`): running steps were stopped, nothing was tagged. */
export class BuildCanceledError extends TsbuildError {
  readonly code = 'canceled';
  readonly exitCode = 130;

  constructor(options?: { cause?: unknown }) {
    super('canceled', options);
  }
}
