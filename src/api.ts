// The public API of tsbuild: named exports only, typed options mirroring the CLI.
import { runBuild, type BuildResult } from './solver/index.js';
import type { BuildOptions } from './solver/index.js';
import { checkBuild } from './api/index.js';
import type { DockerfileCheck } from './check/index.js';

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
  if (process.getuid?.() !== 0) return (await import('./api/build-in-userns.js')).buildInUserNamespace(options);
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
export type { OutputSpec, SecretSource, SshSource } from './solver/index.js';
export type { CacheExportSpec, CacheImportSpec, CacheMode } from './remote-cache/index.js';
export type { BuildEvent, BuildEventListener, StepInfo, VertexInfo } from './solver/index.js';
export type { StepReport } from './solver/index.js';

// Store, archive, registry and run helpers: the functions the CLI's commands are made of.
export { listImages, inspectImage, imageHistory, tagImage, removeImage } from './api/index.js';
export type { StoreOptions, ImageListEntry, ImageFilters, ImageInspect, ImageHistoryEntry } from './api/index.js';
export type { RemoveImageResult } from './store/index.js';
export { saveImages, loadImages, importImage, pull, push } from './api/index.js';
export type { ArchiveFormat, LoadedImage, PushResult, RegistryOptions, TransferListener, TransferProgress } from './api/index.js';
export { runImage } from './api/index.js';
export type { RunOptions } from './api/index.js';
export type { ResolvedMount, SandboxResult } from './executor/index.js';

// Progress renderers: BuildKit's tty and plain displays, and raw JSON, for `onEvent`.
export { createRenderer, type ProgressMode, type Renderer } from './cli/index.js';
export { transferRenderer, type TransferRenderer } from './cli/index.js';

// Errors: every error tsbuild throws for a user-caused condition is a TsbuildError with a
// stable `code` and the CLI's `exitCode` (2 usage/Dockerfile, 1 failed).
export { TsbuildError, UsageError } from './errors.js';
export { BuildStepError, BaseImageError, BuildCanceledError } from './solver/index.js';
export { DockerfileError } from './frontend/index.js';
export { ContextError } from './context/index.js';
export { CopyError } from './copier/index.js';
export { SandboxError } from './executor/index.js';
export { StoreError, ImageNotFoundError, DigestMismatchError } from './store/index.js';
export { RegistryError } from './registry/index.js';
export { RemoteCacheError } from './remote-cache/index.js';
export { ArchiveError } from './image/index.js';
export { InvalidReferenceError } from './image/index.js';
