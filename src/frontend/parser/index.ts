// Dockerfile text → parse tree, as BuildKit's frontend/dockerfile/parser does it:
// directives, continuation lines, comments, heredoc bodies, and the dump format.
// No typing of instructions and no variable expansion here.
export type { Heredoc, Node, ParseWarning, ParsedDockerfile } from './ast.js';
export { goTrimSpace } from './chars.js';
export { parseCheck, parseGoBool } from './directives.js';
export type { CheckDirective, Directives, EscapeToken } from './directives.js';
export { dumpNodes } from './dump.js';
export { goQuote, goQuoteList } from './go-quote.js';
export { chompHeredocContent, heredocsFromLine, parseHeredoc } from './heredoc.js';
export { parseDockerfile } from './parse.js';
export type { ParseOptions } from './parse.js';
