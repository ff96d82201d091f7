// Glob patterns of `${v#p}`, `${v%p}` and `${v/p/r}`, matched the way BuildKit's lexer does:
// the pattern becomes a regular expression (`*` any run, `?` one character, `\*` `\?` `\\`
// literal, no `[…]` classes) and Go's regexp functions apply it. JavaScript's backtracking
// engine picks the same leftmost-first matches as Go's RE2, so only Go's own conventions
// need copying: `.` never matches `\n`, replace-all skips an empty match right after a match,
// and a replace-all template expands `$0`/`${name}`.
import { Scanner } from './expand-scanner.js';

/** A pattern with a bad escape; the message is BuildKit's, the lexer adds the word. */
export class PatternError extends Error {}

/** Go's text/scanner reports end of input to `%c` as the replacement character. */
const END_OF_PATTERN = '\uFFFD';
/** Characters that are literal in a glob but special in a regular expression. */
const REGEX_SPECIALS = new Set(['[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$']);
/** Go's `.`: any character except a newline (JavaScript's also refuses `\r`, U+2028, U+2029). */
const ANY_CHAR = '[^\\n]';

/** The regular expression for a glob; `greedy` picks the longest run for each `*`. */
function compile(pattern: string, opts: { greedy: boolean; anchored: boolean }): RegExp {
  const s = new Scanner(pattern);
  let source = opts.anchored ? '^' : '';
  for (let ch = s.next(); ch !== undefined; ch = s.next()) {
    if (ch === '*') source += opts.greedy ? `${ANY_CHAR}*` : `${ANY_CHAR}*?`;
    else if (ch === '?') source += ANY_CHAR;
    else if (ch === '\\') {
      // `\}` and `\/` only kept the delimiter out of `${…}`: the backslash is not part of the glob.
      if (s.peek() === '}' || s.peek() === '/') continue;
      const escaped = s.next();
      if (escaped !== '*' && escaped !== '?' && escaped !== '\\') {
        throw new PatternError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${escaped ?? END_OF_PATTERN}'`);
      }
      source += `\\${escaped}`;
    } else source += REGEX_SPECIALS.has(ch) ? `\\${ch}` : ch;
  }
  return new RegExp(source, opts.anchored ? 'u' : 'gu');
}

/** `${v#p}` (shortest) and `${v##p}` (longest, `greedy`): drop the matching prefix. */
export function trimPrefix(value: string, pattern: string, greedy: boolean): string {
  const match = compile(pattern, { greedy, anchored: true }).exec(value);
  return match ? value.slice(match[0].length) : value;
}

/**
 * `${v%p}` and `${v%%p}`. A regular expression cannot find the shortest match that ends at
 * the end, so, like BuildKit, reverse both the value and the pattern and trim a prefix.
 */
export function trimSuffix(value: string, pattern: string, greedy: boolean): string {
  return reverse(trimPrefix(reverse(value), reversePattern(pattern), greedy));
}

function reverse(text: string): string {
  return Array.from(text).reverse().join('');
}

/** Reverses a glob but keeps each escape before the character it escapes (`a\*c` → `c\*a`). */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === '\\' && i < chars.length - 1) {
      out.unshift('\\' + chars[i + 1]);
      i++;
    } else out.unshift(chars[i]!);
  }
  return out.join('');
}

/** `${v/p/r}`: replace the first (greedy) match with `replacement`, taken literally. */
export function replaceFirst(value: string, pattern: string, replacement: string): string {
  const match = compile(pattern, { greedy: true, anchored: false }).exec(value);
  if (!match) return value;
  return value.slice(0, match.index) + replacement + value.slice(match.index + match[0].length);
}

/**
 * `${v//p/r}`: Go's `Regexp.ReplaceAllString`. An empty match right after the previous match
 * is not replaced, the search always moves on by at least one character, and `replacement`
 * is a Go template (`$0` is the match, `$$` a dollar).
 */
export function replaceAll(value: string, pattern: string, replacement: string): string {
  const re = compile(pattern, { greedy: true, anchored: false });
  let out = '';
  let lastEnd = 0;
  let searchAt = 0;
  while (searchAt <= value.length) {
    re.lastIndex = searchAt;
    const match = re.exec(value);
    if (!match) break;
    const start = match.index;
    const end = start + match[0].length;
    out += value.slice(lastEnd, start);
    if (end > lastEnd || start === 0) out += expandTemplate(replacement, match[0]);
    lastEnd = end;
    const width = searchAt < value.length ? String.fromCodePoint(value.codePointAt(searchAt)!).length : 1;
    searchAt = Math.max(searchAt + width, end);
  }
  return out + value.slice(lastEnd);
}

/**
 * Go's `Regexp.Expand` for a pattern with no groups: `$0`/`${0}` is the whole match, any
 * other name or number is empty, `$$` is `$`, and a `$` that starts no name stays as is.
 */
function expandTemplate(template: string, whole: string): string {
  return template.replace(/\$(?:(\$)|\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/gu, (_m, dollar, braced, bare) => {
    if (dollar !== undefined) return '$';
    return (braced ?? bare) === '0' ? whole : '';
  });
}
