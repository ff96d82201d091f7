// Runs a BuildGraph: cache keys (typed, by content), parallel stages, step dispatch
// to the copier and executor, export of the result, and the build session.
// Steps see narrow contexts (KeyContext, LayerContext, RunContext), not the session.
export { runBuild } from './build.js';
export type { BuildResult } from './build.js';
export { BaseImageError, BuildCanceledError, BuildStepError } from './errors.js';
export type { BuildEvent, BuildEventListener, StepInfo, VertexInfo } from './events.js';
export { loadDockerfile } from './load-dockerfile.js';
export { normalizeBuildOptions } from './options.js';
export type { BuildOptions, NormalizedBuildOptions, OutputSpec, SecretSource, SshSource } from './options.js';
export type { StepReport } from './session.js';
