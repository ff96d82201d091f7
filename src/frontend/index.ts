// The frontend: Dockerfile text → parse tree → typed instructions → BuildGraph.
export { parseDockerfile, type ParseOptions } from './parse.js';
export type { Heredoc, Node, ParsedDockerfile, ParseWarning } from './ast.js';
export type { CheckDirective, Directives, EscapeToken } from './directives.js';
export { sourceLines, type SourcePosition, type SourceRange } from './source.js';
export { DockerfileError, type DockerfileErrorCode, type DockerfileErrorOptions } from './errors.js';
export { formatExcerpt, formatSourceError } from './format-source-error.js';
export { dumpNodes } from './dump.js';
export { chompHeredocContent, heredocsFromLine, parseHeredoc } from './heredoc.js';
export { parseInstruction, toInstructions } from './instructions/parse-instruction.js';
export type * from './instructions/types.js';
export type { CacheSharing, MountType, RunMount } from './instructions/mounts.js';
export { buildGraph } from './graph.js';
export type {
  BuildGraph, ConfigStep, CopyStep, GraphOptions, HeredocSource, HistoryItem, RunFile, RunStep, Stage, StageBase, Step,
  StepMount, WorkdirStep,
} from './graph.js';
