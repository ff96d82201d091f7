// Go-compatible path cleaning, filepath.Match globbing and moby/patternmatcher
// (.dockerignore semantics), shared by the context walk and the copier.
// Pure string functions.
export { BadPatternError, goMatch, hasGoMeta } from './go-filepath-match.js';
export { goClean, goDir } from './go-path.js';
export { PatternMatcher } from './pattern-matcher.js';
export type { ParentMatch } from './pattern-matcher.js';
