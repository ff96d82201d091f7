// The checks of a build's inputs (Dockerfile, build args, .dockerignore, base images already
// in the store), run before its first step or on their own (`--check`, the API's check()).
import { parseDockerfile, sourceLines } from '../frontend/index.js';
import { hostPlatform, type Platform } from '../platform.js';
import type { Store } from '../store/index.js';
import { CheckFailedError } from './errors.js';
import { checkDockerfile, type CheckResult } from './run-check.js';
import type { CheckWarning } from './types.js';

/** What the checks read of a build's options. */
export interface CheckInputs {
  buildArgs: Record<string, string>;
  platform: Platform;
}

/** A check's result with the Dockerfile's lines, so warnings can be shown with their excerpts. */
export interface DockerfileCheck extends CheckResult {
  dockerfile: { name: string; lines: string[] };
}

/**
 * The checks a build runs before its first step: the warnings for its summary, or
 * CheckFailedError under `error=true`. Base images come from the store, as in checkBuild.
 */
export async function checkForBuild(
  dockerfile: { name: string; text: string },
  options: CheckInputs,
  ignorePatterns: readonly string[],
  store: Store,
): Promise<CheckWarning[]> {
  const result = await runChecks(dockerfile, options, ignorePatterns, store);
  if (result.failed) throw new CheckFailedError(result.warnings, { name: dockerfile.name, lines: sourceLines(dockerfile.text) });
  return result.warnings;
}

export function runChecks(
  dockerfile: { name: string; text: string },
  options: CheckInputs,
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
