// Dockerfile text → parse tree → typed instructions → BuildGraph, BuildKit-exact:
// parser/ (lines, directives, heredocs), shell/ (word expansion), instructions/ (typing),
// graph/ (stages, ARG scoping, steps). No I/O but the base-image config callback.
export { parseDockerfile, type ParseOptions } from './parser/parse.js';
export type { Heredoc, Node, ParsedDockerfile, ParseWarning } from './parser/ast.js';
export type { CheckDirective, Directives, EscapeToken } from './parser/directives.js';
export { sourceLines, type SourcePosition, type SourceRange } from './source.js';
export { DockerfileError, type DockerfileErrorCode, type DockerfileErrorOptions } from './errors.js';
export { formatExcerpt, formatSourceError } from './format-source-error.js';
export { dumpNodes } from './parser/dump.js';
export { chompHeredocContent, heredocsFromLine, parseHeredoc } from './parser/heredoc.js';
export { parseInstruction, toInstructions } from './instructions/parse-instruction.js';
export type * from './instructions/types.js';
export type { CacheSharing, MountType, RunMount } from './instructions/mounts.js';
export { buildGraph } from './graph/index.js';
export type * from './graph/index.js';
export { processWord } from './shell/expand.js';
export type { Env } from './shell/expand.js';
export { globalArgs } from './graph/args.js';
export { parseCheck } from './parser/directives.js';
export { predefinedArgs } from './graph/args.js';
export { layoutStages } from './graph/stages.js';
export { DEFAULT_PATH, splitEnv } from './graph/stage-state.js';
export { levenshtein } from './instructions/suggest.js';
export { closest } from './instructions/suggest.js';
