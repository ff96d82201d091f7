// Parse-tree nodes → typed instructions: flags, RUN --mount fields, heredoc files,
// healthcheck durations, with BuildKit's error texts and suggestions.
// Values are not expanded here; the graph does that with the stage's scope.
export { mountFields, parseMount } from './mounts.js';
export type { CacheSharing, MountType, RunMount } from './mounts.js';
export { parseInstruction, toInstructions } from './parse-instruction.js';
export { closest, didYouMean, levenshtein } from './suggest.js';
export * from './types.js';
