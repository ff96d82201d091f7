// Glob patterns of `${v#p}`, `${v%p}` and `${v/p/r}`, matched the way BuildKit's lexer does:
// Go turns the pattern into a regular expression (`*` any run, `?` one character, `\*` `\?`
// `\\` literal, no `[…]` classes) and applies Go's regexp functions. A pattern here is only
// literals, `?` and `*`, so it is matched by a backtracking search that tries the choices in
// exactly the order a regular-expression engine does (leftmost first, each `*` longest or
// shortest first) but remembers the states that failed: a JavaScript RegExp of `*x*x*y` took
// minutes on a few thousand characters; this takes (stars × characters) steps at most, and
// every step is charged to the caller's budget so a hostile Dockerfile cannot hang the build.
// Go's conventions are kept: `?` and `*` never match `\n`, replace-all skips an empty match
// right after a match, and a replace-all template expands `$0`/`${name}`.
import { Scanner } from './expand-scanner.js';

/** A pattern with a bad escape; the message is BuildKit's, the lexer adds the word. */
export class PatternError extends Error {}

/** Go's text/scanner reports end of input to `%c` as the replacement character. */
const END_OF_PATTERN = '\uFFFD';
/** More (stars + 1) × characters than this and the failure memory would not fit in memory. */
const MAX_STATES = 1 << 25;

/** Counts the work of pattern matching; `charge` throws PatternError when it runs out. */
export interface MatchBudget {
  charge(steps: number): void;
}

/** What `?` stands for in a segment; any other entry is a literal code point. */
const ANY = Symbol('any');
type Segment = (string | typeof ANY)[];

/** A glob as the fixed-length segments between its stars. */
interface Glob {
  segments: Segment[];
  greedy: boolean;
}

function compile(pattern: string, greedy: boolean): Glob {
  const s = new Scanner(pattern);
  const segments: Segment[] = [[]];
  for (let ch = s.next(); ch !== undefined; ch = s.next()) {
    const segment = segments[segments.length - 1]!;
    if (ch === '*') segments.push([]);
    else if (ch === '?') segment.push(ANY);
    else if (ch === '\\') {
      // `\}` and `\/` only kept the delimiter out of `${…}`: the backslash is not part of the glob.
      if (s.peek() === '}' || s.peek() === '/') continue;
      const escaped = s.next();
      if (escaped !== '*' && escaped !== '?' && escaped !== '\\') {
        throw new PatternError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${escaped ?? END_OF_PATTERN}'`);
      }
      segment.push(escaped);
    } else segment.push(ch);
  }
  return { segments, greedy };
}

/** Where `segment` ends when it matches `chars` at `pos`, or -1. */
function segmentEnd(segment: Segment, chars: readonly string[], pos: number): number {
  if (pos + segment.length > chars.length) return -1;
  for (let i = 0; i < segment.length; i++) {
    const ch = chars[pos + i]!;
    const want = segment[i]!;
    if (want === ANY ? ch === '\n' : ch !== want) return -1;
  }
  return pos + segment.length;
}

/** Runs one glob over one value; failed states stay remembered until `forget`. */
class Matcher {
  private readonly stars: number;
  private readonly failed: Uint8Array;
  private generation = 1;

  constructor(
    private readonly glob: Glob,
    private readonly chars: readonly string[],
    private readonly budget: MatchBudget,
  ) {
    this.stars = glob.segments.length - 1;
    const states = this.stars * (chars.length + 1);
    if (states > MAX_STATES) {
      throw new PatternError(`pattern with ${this.stars} wildcards is too costly for a value of ${chars.length} characters`);
    }
    this.failed = new Uint8Array(states);
  }

  /** After a match, states seen on its way are no longer known to fail. */
  forget(): void {
    if (++this.generation === 256) {
      this.failed.fill(0);
      this.generation = 1;
    }
  }

  /** End of the match starting exactly at `start`, or -1. */
  at(start: number): number {
    const { segments, greedy } = this.glob;
    const first = segmentEnd(segments[0]!, this.chars, start);
    this.budget.charge(1);
    if (first < 0 || this.stars === 0) return first;
    // Each state is (star j, position); pushing the less preferred choice first makes the
    // stack pop them in the engine's order, and a state popped twice has already failed.
    const stack: number[] = [0, first];
    while (stack.length > 0) {
      const pos = stack.pop()!;
      const j = stack.pop()!;
      if (j === this.stars) return pos;
      const slot = j * (this.chars.length + 1) + pos;
      if (this.failed[slot] === this.generation) continue;
      this.failed[slot] = this.generation;
      this.budget.charge(1);
      const canExtend = pos < this.chars.length && this.chars[pos] !== '\n';
      const stopAt = segmentEnd(segments[j + 1]!, this.chars, pos);
      if (greedy) {
        if (stopAt >= 0) stack.push(j + 1, stopAt);
        if (canExtend) stack.push(j, pos + 1);
      } else {
        if (canExtend) stack.push(j, pos + 1);
        if (stopAt >= 0) stack.push(j + 1, stopAt);
      }
    }
    return -1;
  }

  /** The leftmost match at or after `from`: [start, end], or undefined. */
  search(from: number): [number, number] | undefined {
    for (let start = from; start <= this.chars.length; start++) {
      const end = this.at(start);
      if (end >= 0) return [start, end];
    }
    return undefined;
  }
}

/** `${v#p}` (shortest) and `${v##p}` (longest, `greedy`): drop the matching prefix. */
export function trimPrefix(value: string, pattern: string, greedy: boolean, budget: MatchBudget): string {
  const glob = compile(pattern, greedy);
  const chars = Array.from(value);
  const end = new Matcher(glob, chars, budget).at(0);
  return end >= 0 ? chars.slice(end).join('') : value;
}

/**
 * `${v%p}` and `${v%%p}`. Like BuildKit, reverse both the value and the pattern and trim a
 * prefix: the shortest match that ends at the end is the shortest prefix of the reverse.
 */
export function trimSuffix(value: string, pattern: string, greedy: boolean, budget: MatchBudget): string {
  return reverse(trimPrefix(reverse(value), reversePattern(pattern), greedy, budget));
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
export function replaceFirst(value: string, pattern: string, replacement: string, budget: MatchBudget): string {
  const chars = Array.from(value);
  const match = new Matcher(compile(pattern, true), chars, budget).search(0);
  if (!match) return value;
  return chars.slice(0, match[0]).join('') + replacement + chars.slice(match[1]).join('');
}

/**
 * `${v//p/r}`: Go's `Regexp.ReplaceAllString`. An empty match right after the previous match
 * is not replaced, the search always moves on by at least one character, and `replacement`
 * is a Go template (`$0` is the match, `$$` a dollar). `maxLength` bounds the result.
 */
export function replaceAll(value: string, pattern: string, replacement: string, budget: MatchBudget, maxLength: number): string {
  const chars = Array.from(value);
  const matcher = new Matcher(compile(pattern, true), chars, budget);
  const parts: string[] = [];
  let length = 0;
  const add = (text: string) => {
    length += text.length;
    if (length > maxLength) throw new PatternError(`the replacement makes a word longer than ${maxLength} characters`);
    parts.push(text);
  };
  let lastEnd = 0;
  let searchAt = 0;
  while (searchAt <= chars.length) {
    const match = matcher.search(searchAt);
    if (!match) break;
    matcher.forget();
    const [start, end] = match;
    add(chars.slice(lastEnd, start).join(''));
    if (end > lastEnd || start === 0) add(expandTemplate(replacement, chars.slice(start, end).join('')));
    lastEnd = end;
    searchAt = Math.max(searchAt + 1, end);
  }
  add(chars.slice(lastEnd).join(''));
  return parts.join('');
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
