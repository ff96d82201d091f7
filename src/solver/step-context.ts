import type { BuildStepError } from './errors.js';

/** Makes the error of the step being run, with its Dockerfile location attached. */
export type StepFailure = (message: string, cause?: unknown) => BuildStepError;
