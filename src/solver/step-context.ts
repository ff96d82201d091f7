import type { BuildContext } from '../context/index.js';
import type { StageBase } from '../frontend/index.js';
import type { Store } from '../store/index.js';
import type { BuildStepError } from './errors.js';
import type { ProgressEmitter } from './events.js';
import type { NormalizedBuildOptions } from './options.js';

/** Makes the error of the step being run, with its Dockerfile location attached. */
export type StepFailure = (message: string, cause?: unknown) => BuildStepError;

/** What a step that writes its layer directly (COPY, ADD, WORKDIR) may use. */
export interface LayerContext {
  store: Store;
  context: BuildContext;
  options: Pick<NormalizedBuildOptions, 'sourceDateEpoch'>;
  /** The read-only filesystem of a stage, an image or a named context (COPY --from, mount from=). */
  rootfs(from: StageBase): Promise<string>;
}

/** What a RUN step may use: the layer context plus the sandbox's inputs and its progress log. */
export interface RunContext extends LayerContext {
  options: Pick<NormalizedBuildOptions, 'sourceDateEpoch' | 'allow' | 'network' | 'extraHosts' | 'limits' | 'ulimits' | 'shmSize' | 'secrets' | 'ssh'>;
  progress: Pick<ProgressEmitter, 'log'>;
  /** For error excerpts. */
  dockerfile: { name: string; lines: string[] };
  /** Aborted when another stage fails. */
  signal: AbortSignal;
  /** Serializes work on `name` inside this build (cache mounts with sharing=locked). */
  withLock<T>(name: string, work: () => Promise<T>): Promise<T>;
}
