// `tsbuild build --check` and the API's check(): the build's inputs (Dockerfile, build
// args, .dockerignore, base images already in the store) checked without building.
import { realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { contextFromTarStream, loadIgnoreFile } from '../context/index.js';
import { DockerfileError, parseDockerfile, sourceLines } from '../frontend/index.js';
import { hostPlatform } from '../platform.js';
import { loadDockerfile } from '../solver/load-dockerfile.js';
import { normalizeBuildOptions, type BuildOptions } from '../solver/options.js';
import { openStore, resolveStoreRoot } from '../store/index.js';
import type { Store } from '../store/index.js';
import type { NormalizedBuildOptions } from '../solver/options.js';
import { CheckFailedError } from './errors.js';
import { checkDockerfile, type CheckResult } from './run-check.js';
import type { CheckWarning } from './types.js';

/** A check's result with the Dockerfile's lines, so warnings can be shown with their excerpts. */
export interface DockerfileCheck extends CheckResult {
  dockerfile: { name: string; lines: string[] };
}

/**
 * Checks the Dockerfile a build with `input` would use. Base images are looked up in the
 * store only (nothing is pulled): a stage whose base is not there is checked as if the
 * base set only PATH, and gets no InvalidBaseImagePlatform verdict.
 */
export async function checkBuild(input: BuildOptions): Promise<DockerfileCheck> {
  const options = normalizeBuildOptions(input);
  // A tar context on stdin is unpacked as for a build: it holds the Dockerfile and .dockerignore.
  const tar = options.context === '-' ? await contextFromTarStream(process.stdin) : undefined;
  try {
    const dir = tar ? tar.root : await realpath(resolve(options.context));
    const dockerfile = await loadDockerfile(dir, options);
    const defaultPath = options.dockerfileText === undefined ? join(dir, 'Dockerfile') : null;
    const ignore = tar ? { patterns: tar.ignorePatterns } : await loadIgnoreFile(dir, dockerfile.path ?? defaultPath);
    const lines = sourceLines(dockerfile.text);
    const store = openStore(resolveStoreRoot(options.root !== undefined ? { root: options.root } : {}));
    try {
      const result = await runChecks(dockerfile, options, ignore.patterns, store);
      return { ...result, dockerfile: { name: dockerfile.name, lines } };
    } catch (err) {
      throw err instanceof DockerfileError ? err.withSource(lines) : err;
    } finally {
      store.close();
    }
  } finally {
    await tar?.dispose();
  }
}

/**
 * The checks a build runs before its first step: the warnings for its summary, or
 * CheckFailedError under `error=true`. Base images come from the store, as in checkBuild.
 */
export async function checkForBuild(
  dockerfile: { name: string; text: string },
  options: NormalizedBuildOptions,
  ignorePatterns: readonly string[],
  store: Store,
): Promise<CheckWarning[]> {
  const result = await runChecks(dockerfile, options, ignorePatterns, store);
  if (result.failed) throw new CheckFailedError(result.warnings, { name: dockerfile.name, lines: sourceLines(dockerfile.text) });
  return result.warnings;
}

function runChecks(
  dockerfile: { name: string; text: string },
  options: NormalizedBuildOptions,
  ignorePatterns: readonly string[],
  store: Store,
): Promise<CheckResult> {
  return checkDockerfile(parseDockerfile(dockerfile.text, { name: dockerfile.name }), {
    buildArgs: options.buildArgs,
    targetPlatform: options.platform,
    buildPlatform: hostPlatform(),
    ignorePatterns,
    resolveBaseConfig: async (ref) => store.resolveImage(ref)?.config ?? null,
  });
}
