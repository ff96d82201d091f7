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

// Store, archive, registry and run helpers: the functions the CLI's commands are made of.
export { listImages, inspectImage, imageHistory, tagImage, removeImage } from './api/images.js';
export type { StoreOptions, ImageListEntry, ImageFilters, ImageInspect, ImageHistoryEntry } from './api/images.js';
export type { RemoveImageResult } from './store/index.js';
export { saveImages, loadImages, importImage, pull, push } from './api/transfer.js';
export type { ArchiveFormat, LoadedImage, PushResult, RegistryOptions, TransferListener, TransferProgress } from './api/transfer.js';
export { runImage } from './api/run.js';
export type { RunOptions } from './api/run.js';
export type { ResolvedMount, SandboxResult } from './executor/index.js';

// Progress renderers: BuildKit's tty and plain displays, and raw JSON, for `onEvent`.
export { createRenderer, type ProgressMode, type Renderer } from './cli/progress/index.js';
export { transferRenderer, type TransferRenderer } from './cli/progress/transfer.js';

// Errors: every error tsbuild throws for a user-caused condition is a TsbuildError with a
// stable `code` and the CLI's `exitCode` (2 usage/Dockerfile, 1 failed).
export { TsbuildError, UsageError } from './errors.js';
export { BuildStepError, BaseImageError, BuildCanceledError } from './solver/errors.js';
export { DockerfileError } from './frontend/errors.js';
export { ContextError } from './context/errors.js';
export { CopyError } from './copier/errors.js';
export { SandboxError } from './executor/sandbox-error.js';
export { StoreError, ImageNotFoundError, DigestMismatchError } from './store/errors.js';
export { RegistryError } from './registry/errors.js';
export { RemoteCacheError } from './remote-cache/errors.js';
export { ArchiveError } from './image/archive-reader.js';
export { InvalidReferenceError } from './image/reference.js';
