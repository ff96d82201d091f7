import pLimit, { type LimitFunction } from 'p-limit';
import type { BuildContext } from '../context/index.js';
import type { BuildGraph, Stage } from '../frontend/index.js';
import { ImportedCache } from '../remote-cache/index.js';
import type { ResolvedImage, Store } from '../store/index.js';
import type { BaseImages } from './base-image.js';
import type { ProgressEmitter } from './events.js';
import type { NormalizedBuildOptions } from './options.js';
import type { CacheKey } from './cache-key.js';
import { rootfsOf } from './rootfs.js';
import type { RunContext } from './step-context.js';
import type { KeyContext } from './step-key.js';

/** What a finished stage hands to the stages and steps that use it. */
export interface StageOutput {
  stage: Stage;
  key: CacheKey;
  /** Chain IDs of the stage's layers, bottom first. */
  layers: string[];
  /**
   * When the newest of the stage's steps first ran (ms; 0 when none did): the image's
   * `created`, so a fully cached rebuild gives the same image ID.
   */
  created: number;
}

/** Per-step outcome, reported in the build result. */
export interface StepReport {
  name: string;
  cached: boolean;
  durationMs: number;
  /** The step's cache key. */
  key: CacheKey;
  /** Chain ID of the snapshot the step produced or reused. */
  chainId: string;
  /** Index of the stage the step belongs to. */
  stage: number;
  /** The platform the step ran for (its stage's), e.g. `linux/arm64`. */
  platform: string;
}

/**
 * Everything one build shares: options, store, context, the graph, the
 * parallelism limit, and the promises of stages and steps already under way (so that
 * identical steps run once per build). A multi-platform build has one session per target
 * platform; they share the limit, the running steps and the imported cache, so a step whose
 * key is the same for two platforms (a `FROM --platform=$BUILDPLATFORM` stage) runs once.
 */
export class BuildSession {
  readonly limit: LimitFunction;
  readonly stageOutputs = new Map<number, Promise<StageOutput>>();
  readonly inflightSteps: Map<CacheKey, Promise<string>>;
  /** Base images being loaded, by progress name: two platforms' stages on the same base show one FROM. */
  readonly inflightBases: Map<string, Promise<ResolvedImage>>;
  /** Read-only views of stages, images and named contexts (COPY --from, mount from=), by source. */
  readonly rootfsViews = new Map<string, Promise<string>>();
  readonly reports: StepReport[] = [];
  /** The `--cache-from` records, consulted when the store misses; null when there are none to use. */
  readonly importedCache: ImportedCache | null;
  /** What cache keys are computed from. */
  readonly keys: KeyContext;
  /** What steps run with (COPY, ADD and WORKDIR use its LayerContext part). */
  readonly steps: RunContext;
  private readonly locks: Map<string, Promise<void>>;

  constructor(
    readonly options: NormalizedBuildOptions,
    readonly store: Store,
    readonly graph: BuildGraph,
    readonly context: BuildContext,
    readonly progress: ProgressEmitter,
    readonly baseImages: BaseImages,
    readonly abort: AbortController,
    /** The session of another target platform of the same build, to share work with. */
    sibling?: BuildSession,
  ) {
    this.limit = sibling?.limit ?? pLimit(options.maxParallelism);
    this.inflightSteps = sibling?.inflightSteps ?? new Map();
    this.locks = sibling?.locks ?? new Map();
    this.inflightBases = sibling?.inflightBases ?? new Map();
    this.importedCache = sibling ? sibling.importedCache : options.cacheFrom.length > 0 && !options.noCache ? new ImportedCache(store) : null;
    this.keys = {
      platform: options.platform,
      network: options.network,
      extraHosts: options.extraHosts,
      context,
      namedContexts: options.buildContexts,
      stageKey: async (index) => (await this.stageOutput(index)).key,
      imageId: async (ref) => (await baseImages.resolve(ref, options.platform)).id,
      statCache: (dir) => store.statCache(dir),
    };
    this.steps = {
      store,
      context,
      options,
      rootfs: (from) => rootfsOf(this, from),
      progress,
      dockerfile: graph.dockerfile,
      signal: abort.signal,
      withLock: (name, work) => this.withLock(name, work),
    };
  }

  /** The output of a stage of this build, once it has finished. */
  async stageOutput(index: number): Promise<StageOutput> {
    const output = await this.stageOutputs.get(index);
    if (!output) throw new Error(`stage ${index} was not scheduled`);
    return output;
  }

  /** Serializes work on `name` inside this process (cache mounts with sharing=locked). */
  async withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => current);
    this.locks.set(name, chained);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.locks.get(name) === chained) this.locks.delete(name);
    }
  }

  stageByIndex(index: number): Stage {
    const stage = this.graph.stages.find((s) => s.index === index);
    if (!stage) throw new Error(`stage ${index} is not part of this build`);
    return stage;
  }
}
