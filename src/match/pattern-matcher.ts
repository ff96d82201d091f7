// Docker's .dockerignore matcher, ported from moby/patternmatcher so tsbuild excludes
// exactly what `docker build` excludes (gitignore libraries differ on ~20% of cases).
// Patterns are cleaned like Go's filepath.Clean; `*`/`?`/`[…]` stay within one path
// component; `**` spans any depth; a path also matches when one of its parent dirs does;
// `!` re-includes; the last matching pattern wins.
import { BadPatternError, goMatch } from './go-filepath-match.js';
import { goClean, goDir } from './go-path.js';
import { assertNever } from '../errors.js';

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

/** One pattern line. */
interface Pattern {
  /** The pattern after cleaning, without its leading `!`. */
  readonly cleaned: string;
  /** True for a `!` line, which re-includes what earlier lines excluded. */
  readonly exclusion: boolean;
}

interface CompiledPattern extends Pattern {
  readonly raw: string;
  compiled?: { type: MatchType; regexp: RegExp | null };
}

/** Per-pattern results for a directory, so its children need not re-test parents. */
export type ParentMatch = readonly boolean[];

const NOTHING_MATCHED: { matched: boolean; info: ParentMatch } = Object.freeze({ matched: false, info: Object.freeze([]) });

/** Compiles pattern lines; throws `BadPatternError` for a malformed one, as Docker does. */
export class PatternMatcher {
  private readonly patterns: CompiledPattern[];

  constructor(lines: readonly string[]) {
    this.patterns = [];
    for (const raw of lines) {
      let p = raw.trim();
      if (p === '') continue;
      p = goClean(p);
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) throw new BadPatternError(raw, 'illegal exclusion pattern: "!"');
        exclusion = true;
        p = p.slice(1);
      }
      // Docker validates by matching against "." and reporting Go's pattern error.
      goMatch(p, '.');
      this.patterns.push({ cleaned: p, exclusion, raw });
    }
  }

  /** Whether `file` (slash-separated, relative) is excluded, checking each parent dir too. */
  matches(file: string): boolean {
    return this.matchesWithParent(file, null).matched;
  }

  /**
   * Same answer as `matches`, reusing the parent directory's per-pattern results so a walk
   * tests each pattern once per entry rather than once per ancestor.
   */
  matchesWithParent(file: string, parent: ParentMatch | null): { matched: boolean; info: ParentMatch } {
    // No .dockerignore: a context walk asks this for every file.
    if (this.patterns.length === 0) return NOTHING_MATCHED;
    let matched = false;
    const info: boolean[] = new Array<boolean>(this.patterns.length).fill(false);
    this.patterns.forEach((pattern, i) => {
      let match = parent !== null && parent.length > 0 ? parent[i] : false;
      if (!match) {
        // An include only matters while unmatched, an exception only once matched.
        if (pattern.exclusion !== matched) return;
        match = matchOne(pattern, file);
        if (!match && parent === null) match = parentMatches(pattern, file);
      }
      info[i] = match;
      if (match) matched = !pattern.exclusion;
    });
    return { matched, info };
  }

  /**
   * Whether some `!` exception could re-include a path below `dir`: a walk must then
   * descend into an excluded directory instead of skipping it.
   */
  mayReincludeUnder(dir: string): boolean {
    return this.patterns.some((p) => p.exclusion && exceptionReaches(p, dir));
  }
}

function parentMatches(pattern: CompiledPattern, file: string): boolean {
  const parent = goDir(file);
  if (parent === '.') return false;
  const dirs = parent.split('/');
  for (let i = 1; i <= dirs.length; i++) {
    if (matchOne(pattern, dirs.slice(0, i).join('/'))) return true;
  }
  return false;
}

function matchOne(p: CompiledPattern, path: string): boolean {
  // Compiled on first use, as Docker does: a pattern filepath.Match accepts but its regexp
  // engine rejects (an inverted range such as `[Local-Only]`) fails only when matching.
  p.compiled ??= compile(p.cleaned, p.raw);
  const { type, regexp } = p.compiled;
  switch (type) {
    case 'exact':
      return path === p.cleaned;
    case 'prefix':
      return path.startsWith(p.cleaned.slice(0, -2));
    case 'suffix': {
      const suffix = p.cleaned.slice(2);
      if (path.endsWith(suffix)) return true;
      return suffix.startsWith('/') && path === suffix.slice(1);
    }
    case 'regexp':
      return regexp !== null && regexp.test(path);
    default:
      return assertNever(type, 'pattern type');
  }
}

/** An exception can reach inside `dir` unless its literal leading components diverge from it. */
function exceptionReaches(p: Pattern, dir: string): boolean {
  const patParts = p.cleaned.split('/');
  const dirParts = dir.split('/');
  for (let i = 0; i < dirParts.length && i < patParts.length; i++) {
    const part = patParts[i];
    if (part.includes('**')) return true;
    try {
      if (!goMatch(part, dirParts[i])) return false;
    } catch {
      return true;
    }
  }
  return true;
}

const REGEXP_SPECIAL = '.+()|{}$';
// Characters that must stay escaped in a JS unicode-mode regexp to be literal.
const JS_SYNTAX = '^$\\.*+?()[]{}|/';
// Go RE2 escapes that tsbuild translates; other escaped letters are RE2 syntax errors.
const RE2_ESCAPES: Record<string, string> = {
  a: '\\x07',
  f: '\\f',
  t: '\\t',
  n: '\\n',
  r: '\\r',
  v: '\\v',
  d: '[0-9]',
  D: '[^0-9]',
  s: '[\\t\\n\\f\\r ]',
  S: '[^\\t\\n\\f\\r ]',
  w: '[0-9A-Za-z_]',
  W: '[^0-9A-Za-z_]',
  b: '\\b',
  B: '\\B',
  A: '^',
  z: '$',
};

/** Translates a cleaned pattern the way patternmatcher's `compile` builds its regexp. */
function compile(pattern: string, raw: string): { type: MatchType; regexp: RegExp | null } {
  const chars = Array.from(pattern);
  let re = '^';
  let type: MatchType = 'exact';
  let inClass = false;
  for (let i = 0, token = 0; i < chars.length; i++, token++) {
    const ch = chars[i];
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        // `**/` is treated as `**`: the slash is eaten.
        if (chars[i + 1] === '/') i++;
        if (i + 1 >= chars.length) {
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(?:.*/)?';
          type = 'regexp';
        }
        if (token === 0) type = 'suffix';
      } else {
        re += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      type = 'regexp';
    } else if (REGEXP_SPECIAL.includes(ch)) {
      re += '\\' + ch;
    } else if (ch === '\\') {
      if (i + 1 < chars.length) {
        re += escaped(chars[++i], inClass, raw);
        type = 'regexp';
      } else re += '\\\\';
    } else if (ch === '[' || ch === ']') {
      re += ch;
      inClass = ch === '[';
      type = 'regexp';
    } else {
      re += ch;
    }
  }
  if (type !== 'regexp') return { type, regexp: null };
  try {
    return { type, regexp: new RegExp(re + '$', 'u') };
  } catch (err) {
    throw Object.assign(new BadPatternError(raw), { cause: err });
  }
}

function escaped(ch: string, inClass: boolean, raw: string): string {
  if (/[A-Za-z0-9]/.test(ch)) {
    const t = RE2_ESCAPES[ch];
    if (t === undefined || (inClass && t.startsWith('['))) throw new BadPatternError(raw);
    return t;
  }
  if (JS_SYNTAX.includes(ch) || (inClass && ch === '-')) return '\\' + ch;
  return ch;
}
