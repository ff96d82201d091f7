// The public API of tsbuild: named exports only, typed options mirroring the CLI.
import { runBuild, type BuildResult } from './solver/build.js';
import type { BuildOptions } from './solver/options.js';
import { checkBuild, type DockerfileCheck } from './check/index.js';

/**
 * Builds a Dockerfile into an image, as `tsbuild build` does.
 *
 * ```ts
 * import { build } from 'tsbuild';
 * const result = await build({ context: '.', tags: ['myapp:dev'], onEvent: (e) => console.log(e.type, e.vertex.name) });
 * console.log(result.imageId);
 * ```
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  // A non-root caller builds rootless: in a child process that is root of a user namespace.
  if (process.getuid?.() !== 0) return (await import('./rootless/api-build.js')).buildInUserNamespace(options);
  return runBuild(options);
}

/**
 * Runs the Dockerfile build checks (BuildKit's rules) a build with `options` would run,
 * without building: for editors and CI annotations.
 */
export function check(options: BuildOptions): Promise<DockerfileCheck> {
  return checkBuild(options);
}

export type { BuildOptions, BuildResult, DockerfileCheck };
export type { CheckWarning, RuleName } from './check/index.js';
export { RULES as CHECK_RULES } from './check/index.js';
export { TraceRecorder, chromeTrace, htmlReport, writeTraceFiles, type Span, type TraceEvent } from './trace/index.js';
export type { OutputSpec, SecretSource, SshSource } from './solver/options.js';
export type { CacheExportSpec, CacheImportSpec, CacheMode } from './remote-cache/index.js';
export type { BuildEvent, BuildEventListener, StepInfo, VertexInfo } from './solver/events.js';
export type { StepReport } from './solver/session.js';
export { BuildStepError } from './solver/errors.js';
export { TsbuildError } from './errors.js';
