import type { Stage, Step } from '../frontend/index.js';
import { assertNever, TsbuildError, UsageError } from '../errors.js';
import { formatPlatform } from '../platform.js';
import { RemoteCacheError } from '../remote-cache/index.js';
import { baseKey, type CacheKey } from './cache-key.js';
import { executeCopy } from './copy-step.js';
import { transferLog } from './transfer-log.js';
import { BuildCanceledError, BuildStepError } from './errors.js';
import type { StepInfo, VertexInfo } from './events.js';
import { executeRun } from './run-step.js';
import type { BuildSession, StageOutput } from './session.js';
import type { StepFailure } from './step-context.js';
import { keyOfStep } from './step-key.js';
import { executeWorkdir } from './workdir-step.js';

/** Starts every stage of the graph; each waits only for the stages it depends on. */
export function scheduleStages(session: BuildSession): void {
  for (const stage of session.graph.stages) {
    session.stageOutputs.set(stage.index, runStage(session, stage));
  }
}

/**
 * `[build 2/4]`: like BuildKit, FROM is 1 and only steps that touch the filesystem count; a
 * multi-platform build names the stage's platform first (`[linux/arm64 build 2/4]`).
 */
function stageLabel(session: BuildSession, stage: Stage, position: number): string {
  const total = stage.steps.filter((s) => s.kind !== 'config').length + 1;
  const single = session.graph.stages.length === 1 && stage.name === undefined;
  const platform = session.options.platforms.length > 1 ? `${formatPlatform(stage.platform)} ` : '';
  return single ? `[${platform}${position}/${total}]` : `[${platform}${stage.name ?? `stage-${stage.index}`} ${position}/${total}]`;
}

async function startingPoint(session: BuildSession, stage: Stage): Promise<{ key: CacheKey; layers: string[]; created: number }> {
  const platform = stage.platform;
  const base = stage.base;
  switch (base.kind) {
    case 'scratch':
      return { key: baseKey({ kind: 'scratch' }, platform), layers: [], created: 0 };
    case 'stage': {
      const output = await session.stageOutput(base.index);
      return { key: output.key, layers: output.layers, created: output.created };
    }
    case 'image':
    case 'context': {
      const ref = base.kind === 'image' ? base.ref : imageOfContext(session, base.name);
      const name = `${stageLabel(session, stage, 1)} FROM ${ref}`;
      let loading = session.inflightBases.get(name);
      if (!loading) {
        loading = session.progress.track(session.progress.vertex(name, stepInfo(stage, `FROM ${ref}`)), () => session.baseImages.resolve(ref, platform));
        session.inflightBases.set(name, loading);
      }
      const image = await loading;
      return { key: baseKey({ kind: 'image', imageId: image.id }, platform), layers: image.chainIds, created: 0 };
    }
    default:
      return assertNever(base, 'stage base');
  }
}

function imageOfContext(session: BuildSession, name: string): string {
  const named = session.options.buildContexts[name];
  if (named?.kind !== 'image') {
    throw new UsageError(`FROM ${name}: the named context is a directory; only --build-context ${name}=docker-image://REF can be a base`);
  }
  return named.ref;
}

async function runStage(session: BuildSession, stage: Stage): Promise<StageOutput> {
  let { key, layers, created } = await startingPoint(session, stage);
  let position = 1;
  const ignoreCache = session.options.noCache || session.options.noCacheFilter.some((f) => f === stage.name || f === String(stage.index));
  for (const step of stage.steps) {
    if (session.abort.signal.aborted) throw session.abort.signal.reason;
    if (step.kind === 'config') continue;
    position++;
    const vertex = session.progress.vertex(`${stageLabel(session, stage, position)} ${step.display}`, stepInfo(stage, step.display));
    const fail: StepFailure = (message, cause) =>
      new BuildStepError({ message, step: vertex.name, range: step.range, dockerfile: session.graph.dockerfile, cause });
    const parent = layers.at(-1) ?? null;
    // The key reads the step's sources (COPY's files): a missing one fails this step, named
    // with its Dockerfile line like any other step failure.
    const stepKey = await keyOfStep(session.keys, step, key, stage.platform).catch((err: unknown) => {
      if (err instanceof BuildStepError || !(err instanceof TsbuildError) || err instanceof BuildCanceledError) throw err;
      session.progress.failed(vertex, err.message);
      throw fail(err.message, err);
    });
    const started = Date.now();
    const found = ignoreCache ? { hit: null } : await lookup(session, stepKey, layers, vertex);
    if (found.hit !== null) {
      session.progress.cached(vertex);
      layers = found.hit.layers;
      session.reports.push({
        name: vertex.name,
        cached: true,
        durationMs: 0,
        key: stepKey,
        chainId: layers.at(-1)!,
        stage: stage.index,
        platform: formatPlatform(stage.platform),
      });
      created = Math.max(created, found.hit.created);
    } else {
      const { warning } = found;
      const chainId = await runOnce(session, stepKey, () =>
        session.progress.track(vertex, () => {
          if (warning) session.progress.log(vertex, 'stderr', `warning: ${warning}; running the step instead\n`);
          return session.limit(() => execute(session, step, parent, vertex, fail));
        }),
      );
      session.store.putCacheRecord({ key: stepKey, chainId, configDelta: null });
      session.reports.push({
        name: vertex.name,
        cached: false,
        durationMs: Date.now() - started,
        key: stepKey,
        chainId,
        stage: stage.index,
        platform: formatPlatform(stage.platform),
      });
      layers = [...layers, chainId];
      created = Math.max(created, session.store.getCacheRecord(stepKey)?.created ?? Date.now());
    }
    key = stepKey;
    session.progress.emit({
      type: 'vertex-layer',
      vertex,
      bytes: session.store.getLayer(layers.at(-1)!)?.size ?? 0,
      cached: found.hit !== null,
      time: Date.now(),
    });
  }
  return { stage, key, layers, created };
}

function stepInfo(stage: Stage, instruction: string): StepInfo {
  return { stage: stage.index, ...(stage.name === undefined ? {} : { stageName: stage.name }), instruction };
}

/** A cache hit: the stage's layer chain once the step is applied, and when the step first ran. */
interface Hit {
  layers: string[];
  created: number;
}

/**
 * A local cache record whose snapshot still exists, else a `--cache-from` record restored
 * into the store (its own chain, which may differ below from `below` when the lower steps
 * ran here). An imported cache that fails to restore gives a warning and a miss, never an error.
 */
async function lookup(session: BuildSession, key: CacheKey, below: string[], vertex: VertexInfo): Promise<{ hit: Hit | null; warning?: string }> {
  const record = session.store.getCacheRecord(key);
  if (record?.chainId && session.store.hasSnapshot(record.chainId)) {
    return { hit: { layers: [...below, record.chainId], created: record.created } };
  }
  if (!session.importedCache) return { hit: null };
  try {
    const restored = await session.importedCache.restore(key, transferLog(session.progress, vertex));
    return { hit: restored && { layers: restored.chainIds, created: restored.created } };
  } catch (err) {
    if (!(err instanceof RemoteCacheError)) throw err;
    return { hit: null, warning: err.message };
  }
}

/** Identical steps (same key) in one build run once; later ones wait for the first. */
function runOnce(session: BuildSession, key: CacheKey, work: () => Promise<string>): Promise<string> {
  const running = session.inflightSteps.get(key);
  if (running) return running;
  const promise = work();
  session.inflightSteps.set(key, promise);
  return promise;
}

function execute(
  session: BuildSession,
  step: Exclude<Step, { kind: 'config' }>,
  parent: string | null,
  vertex: VertexInfo,
  fail: StepFailure,
): Promise<string> {
  switch (step.kind) {
    case 'run':
      return executeRun(session.steps, step, parent, vertex, fail);
    case 'copy':
      return executeCopy(session.steps, step, parent).catch((err: unknown) => {
        throw err instanceof BuildStepError ? err : fail(err instanceof Error ? err.message : String(err), err);
      });
    case 'workdir':
      return executeWorkdir(session.steps, step, parent);
    default:
      return assertNever(step, 'step');
  }
}
