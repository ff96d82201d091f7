import { realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkForBuild, type CheckWarning } from '../check/index.js';
import { ContextError, contextFromTarStream, openContext, type BuildContext } from '../context/index.js';
import { buildGraph, DockerfileError, parseDockerfile, sourceLines } from '../frontend/index.js';
import { checkEmulation } from '../executor/index.js';
import { hostPlatform } from '../platform.js';
import { exportCache, openCacheBackend, readCache, stepsToExport, type CacheBackend, type CacheMode } from '../remote-cache/index.js';
import { openStore, reportingNoSpace, resolveStoreRoot, type Store } from '../store/index.js';
import { BaseImages } from './base-image.js';
import { ProgressEmitter } from './events.js';
import { exportImages, type ExportResult } from './export.js';
import { loadDockerfile } from './load-dockerfile.js';
import { normalizeBuildOptions, type BuildOptions, type NormalizedBuildOptions } from './options.js';
import { BuildSession, type StepReport } from './session.js';
import { BuildCanceledError } from './errors.js';
import { scheduleStages } from './stage-runner.js';
import { transferLog } from './transfer-log.js';

/** What `build()` resolves to. */
export interface BuildResult {
  /** Image ID: the config digest, as `docker images` shows it; for several platforms, the OCI index digest. */
  imageId: string;
  /** The manifest digest; for several platforms, the OCI index digest. */
  manifestDigest: string;
  tags: string[];
  /** Each target platform's image, in the order of `platform`. */
  platforms: ExportResult['platforms'];
  /** Every step that changes the filesystem, in the order it finished, with its cache hit. */
  steps: StepReport[];
  /** What `--metadata-file` writes (buildx's keys). */
  metadata: Record<string, string>;
  /** Build-check warnings about the Dockerfile (the build went ahead). */
  warnings: CheckWarning[];
}

/** Builds a Dockerfile into an image in the store (and the requested outputs). */
export async function runBuild(input: BuildOptions): Promise<BuildResult> {
  const options = normalizeBuildOptions(input);
  const progress = new ProgressEmitter(options.onEvent ? [options.onEvent] : []);
  if (options.signal?.aborted) throw new BuildCanceledError({ cause: options.signal.reason });
  // The build's own controller stops running steps on the first failure; the caller's signal
  // (Ctrl-C in the CLI) stops them too, and then every vertex that ends is CANCELED.
  const abort = new AbortController();
  const cancel = (): void => {
    progress.canceled = true;
    abort.abort(new BuildCanceledError({ cause: options.signal?.reason }));
  };
  options.signal?.addEventListener('abort', cancel, { once: true });
  const root = resolveStoreRoot(options.root !== undefined ? { root: options.root } : {});
  try {
    return await reportingNoSpace(root, async () => {
      const store = openStore(root);
      try {
        return await store.withLease(() => buildWithStore(options, store, progress, abort));
      } finally {
        store.close();
      }
    });
  } catch (err) {
    throw progress.canceled ? new BuildCanceledError({ cause: err }) : err;
  } finally {
    options.signal?.removeEventListener('abort', cancel);
  }
}

async function buildWithStore(options: NormalizedBuildOptions, store: Store, progress: ProgressEmitter, abort: AbortController): Promise<BuildResult> {
  // Opened first so that a bad cache ref stops the build before any work, not after it.
  const client = { insecureRegistries: options.insecureRegistries };
  const cacheFrom = options.cacheFrom.map((spec) => openCacheBackend(spec, client));
  const cacheTo = options.cacheTo.map((spec) => ({ mode: spec.mode, backend: openCacheBackend(spec, client) }));
  const fromStdin = options.context === '-';
  const context: BuildContext = fromStdin
    ? await progress.track(progress.vertex('[internal] load build context'), () => contextFromTarStream(process.stdin))
    : await contextAt(options, store, progress);
  const dockerfile = await progress.track(progress.vertex('[internal] load build definition from Dockerfile'), () =>
    loadDockerfile(context.root, options),
  );
  const baseImages = new BaseImages(store, progress, { pull: options.pull, insecureRegistries: options.insecureRegistries });
  const parsed = (() => {
    try {
      return parseDockerfile(dockerfile.text, { name: dockerfile.name });
    } catch (err) {
      throw err instanceof DockerfileError ? err.withSource(sourceLines(dockerfile.text)) : err;
    }
  })();
  // One graph per target platform: predefined args, FROM --platform and base images differ.
  const graphs = await Promise.all(
    options.platforms.map((targetPlatform) =>
      buildGraph(parsed, {
        buildArgs: options.buildArgs,
        targetPlatform,
        buildPlatform: hostPlatform(),
        resolveBaseConfig: async (ref, platform) => (await baseImages.resolve(ref, platform)).config,
        namedContexts: options.buildContexts,
        ...(options.target !== undefined ? { target: options.target } : {}),
      }).catch((err: unknown) => {
        throw err instanceof DockerfileError ? err.withSource(sourceLines(dockerfile.text)) : err;
      }),
    ),
  );
  const warnings = await checkForBuild(dockerfile, options, context.ignorePatterns, store);
  // Before any work: a RUN for another architecture needs QEMU registered in binfmt_misc.
  for (const graph of graphs) {
    for (const stage of graph.stages) if (stage.steps.some((s) => s.kind === 'run')) checkEmulation(stage.platform);
  }
  const sessions: BuildSession[] = [];
  for (const [i, graph] of graphs.entries()) {
    const sessionOptions = { ...options, platform: options.platforms[i]! };
    sessions.push(new BuildSession(sessionOptions, store, graph, context, progress, baseImages, abort, sessions[0]));
  }
  const session = sessions[0]!;
  try {
    await importCaches(session, cacheFrom);
    for (const s of sessions) scheduleStages(s);
    const all = sessions.flatMap((s) => [...s.stageOutputs.values()]);
    // The first failure stops the rest: running sandboxes get the abort signal.
    for (const pending of all) pending.catch((err: unknown) => abort.abort(err));
    const settled = await Promise.allSettled(all);
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
    const targets = await Promise.all(sessions.map(async (s) => ({ session: s, target: await s.stageOutputs.get(s.graph.targetIndex)! })));
    if (abort.signal.aborted) throw abort.signal.reason;
    const exported = await exportImages(targets);
    const steps = sessions.flatMap((s) => s.reports);
    await exportCaches(session, steps, cacheTo);
    const multi = sessions.length > 1;
    const { pushedDigest, ...result } = exported;
    return {
      ...result,
      steps,
      warnings,
      metadata: {
        ...(multi ? {} : { 'containerimage.config.digest': exported.imageId }),
        // As buildx: after a push, the digest the registry serves.
        'containerimage.digest': pushedDigest ?? exported.manifestDigest,
        ...(exported.tags.length > 0 ? { 'image.name': exported.tags.join(',') } : {}),
      },
    };
  } finally {
    store.releaseViews();
  }
}

/**
 * Reads every `--cache-from` manifest and config at once. One that is missing or unreadable is
 * a warning on its vertex (as BuildKit does): a CI cache that is not there yet must not fail a build.
 */
async function importCaches(session: BuildSession, backends: CacheBackend[]): Promise<void> {
  const imported = session.importedCache;
  if (!imported) return;
  const reads = backends.map((backend) => {
    const vertex = session.progress.vertex(`importing cache manifest from ${backend.name}`);
    return session.progress.track(vertex, async () => {
      try {
        const entries = await readCache(backend);
        if (entries === null) {
          session.progress.log(vertex, 'stderr', `warning: no cache found at ${backend.name}; building without it\n`);
          return [];
        }
        session.progress.log(vertex, 'stdout', `${entries.length} records\n`);
        return entries;
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        session.progress.log(vertex, 'stderr', `warning: cannot import the cache at ${backend.name}: ${why}; building without it\n`);
        return [];
      }
    });
  });
  for (const [i, entries] of (await Promise.all(reads)).entries()) imported.add(backends[i]!, entries);
}

/** Exports the cache records of the build's steps (per mode) to each `--cache-to`; a failure fails the build. */
async function exportCaches(session: BuildSession, reports: StepReport[], targets: { mode: CacheMode; backend: CacheBackend }[]): Promise<void> {
  for (const { mode, backend } of targets) {
    const vertex = session.progress.vertex(`exporting cache to ${backend.name}`);
    await session.progress.track(vertex, async () => {
      const steps = stepsToExport(reports, mode, session.graph.targetIndex);
      const summary = await exportCache(session.store, steps, backend, transferLog(session.progress, vertex));
      session.progress.log(vertex, 'stdout', `mode=${mode}: ${summary.records} records, ${summary.layers} layers\n`);
    });
  }
}

async function contextAt(options: NormalizedBuildOptions, store: Store, progress: ProgressEmitter): Promise<BuildContext> {
  const dir = await contextDir(options.context);
  // The Dockerfile's path finds `<Dockerfile>.dockerignore`, which wins over the context's.
  const dockerfile =
    options.dockerfile !== undefined ? resolve(options.dockerfile) : options.dockerfileText === undefined ? join(dir, 'Dockerfile') : undefined;
  return progress.track(progress.vertex('[internal] load build context'), () =>
    openContext({ dir, statCache: store.statCache(dir), ...(dockerfile ? { dockerfile } : {}) }),
  );
}

/** The context directory, resolved; a missing or non-directory path is the user's, said as docker says it. */
async function contextDir(context: string): Promise<string> {
  let dir: string;
  try {
    // Synchronous: each thread-pool round trip costs more than these two syscalls.
    dir = realpathSync.native(resolve(context));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ContextError(`unable to prepare context: path "${context}" not found`, { cause: err });
    throw new ContextError(`unable to prepare context: ${context}: ${(err as Error).message}`, { cause: err });
  }
  if (!statSync(dir).isDirectory()) throw new ContextError(`unable to prepare context: context must be a directory: ${dir}`);
  return dir;
}
