// A port of Go's `filepath.Match` (Unix flavour), which COPY/ADD use for source wildcards
// and Docker's pattern matcher uses to validate patterns. `*`, `?` and `[…]` never match
// `/`; `\` escapes; a malformed class is `ErrBadPattern` even when the name cannot match.
// Works on code points so `?` consumes one character, as Go consumes one rune.

/** Thrown for a malformed pattern (Go's `filepath.ErrBadPattern`). */
export class BadPatternError extends Error {
  readonly code = 'bad-pattern';
  constructor(
    readonly pattern: string,
    message = `syntax error in pattern: ${JSON.stringify(pattern)}`,
  ) {
    super(message);
    this.name = 'BadPatternError';
  }
}

type Chars = string[];
const BAD = Symbol('bad pattern');

/** Reports whether `name` matches the shell pattern; throws `BadPatternError` for a malformed pattern. */
export function goMatch(pattern: string, name: string): boolean {
  const result = match(Array.from(pattern), Array.from(name));
  if (result === BAD) throw new BadPatternError(pattern);
  return result;
}

/**
 * True when `s` has an unescaped `*`, `?` or `[` (BuildKit's containsWildcards): only then
 * is a source matched as a pattern rather than taken as a literal path.
 */
export function hasGoMeta(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '*' || s[i] === '?' || s[i] === '[') return true;
  }
  return false;
}

function match(pattern: Chars, name: Chars): boolean | typeof BAD {
  let pat = pattern;
  outer: while (pat.length > 0) {
    const { star, chunk, rest } = scanChunk(pat);
    pat = rest;
    if (star && chunk.length === 0) return !name.includes('/');
    const here = matchChunk(chunk, name);
    if (here === BAD) return BAD;
    if (here !== null && (here.length === 0 || pat.length > 0)) {
      name = here;
      continue;
    }
    if (star) {
      for (let i = 0; i < name.length && name[i] !== '/'; i++) {
        const t = matchChunk(chunk, name.slice(i + 1));
        if (t === BAD) return BAD;
        if (t !== null) {
          if (pat.length === 0 && t.length > 0) continue;
          name = t;
          continue outer;
        }
      }
    }
    // Go still validates the rest of the pattern before answering "no match".
    while (pat.length > 0) {
      const next = scanChunk(pat);
      pat = next.rest;
      if (matchChunk(next.chunk, []) === BAD) return BAD;
    }
    return false;
  }
  return name.length === 0;
}

function scanChunk(pattern: Chars): { star: boolean; chunk: Chars; rest: Chars } {
  let i = 0;
  let star = false;
  while (i < pattern.length && pattern[i] === '*') {
    i++;
    star = true;
  }
  const start = i;
  let inRange = false;
  for (; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (i + 1 < pattern.length) i++;
    } else if (c === '[') inRange = true;
    else if (c === ']') inRange = false;
    else if (c === '*' && !inRange) break;
  }
  return { star, chunk: pattern.slice(start, i), rest: pattern.slice(i) };
}

/** Matches one chunk at the start of `s`: the rest of `s`, null for no match, BAD for a bad pattern. */
function matchChunk(chunkIn: Chars, sIn: Chars): Chars | null | typeof BAD {
  let chunk = chunkIn;
  let s = sIn;
  let failed = false;
  while (chunk.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const c = chunk[0];
    if (c === '[') {
      let r = '';
      if (!failed) {
        r = s[0];
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
      let negated = false;
      if (chunk.length > 0 && chunk[0] === '^') {
        negated = true;
        chunk = chunk.slice(1);
      }
      let matched = false;
      let nrange = 0;
      for (;;) {
        if (chunk.length > 0 && chunk[0] === ']' && nrange > 0) {
          chunk = chunk.slice(1);
          break;
        }
        const lo = getEsc(chunk);
        if (lo === BAD) return BAD;
        chunk = lo.rest;
        let hi = lo.ch;
        if (chunk[0] === '-') {
          const h = getEsc(chunk.slice(1));
          if (h === BAD) return BAD;
          chunk = h.rest;
          hi = h.ch;
        }
        if (!failed && cp(lo.ch) <= cp(r) && cp(r) <= cp(hi)) matched = true;
        nrange++;
      }
      if (matched === negated) failed = true;
    } else if (c === '?') {
      if (!failed) {
        if (s[0] === '/') failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    } else {
      if (c === '\\') {
        chunk = chunk.slice(1);
        if (chunk.length === 0) return BAD;
      }
      if (!failed) {
        if (chunk[0] !== s[0]) failed = true;
        s = s.slice(1);
      }
      chunk = chunk.slice(1);
    }
  }
  return failed ? null : s;
}

function getEsc(chunkIn: Chars): { ch: string; rest: Chars } | typeof BAD {
  let chunk = chunkIn;
  if (chunk.length === 0 || chunk[0] === '-' || chunk[0] === ']') return BAD;
  if (chunk[0] === '\\') {
    chunk = chunk.slice(1);
    if (chunk.length === 0) return BAD;
  }
  const ch = chunk[0];
  const rest = chunk.slice(1);
  if (rest.length === 0) return BAD;
  return { ch, rest };
}

function cp(ch: string): number {
  return ch.codePointAt(0) ?? -1;
}
