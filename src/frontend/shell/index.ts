// BuildKit's shell-word lexer (frontend/dockerfile/shell): quotes, escapes, `$v`,
// `${v…}` forms and their glob patterns, word splitting, error texts and all.
// Pure functions: the mode and the environment are passed in on every call.
export { ExpansionBudget, ShellExpansionError, processWord, processWords } from './expand.js';
export type { Env, LexOptions } from './expand.js';
