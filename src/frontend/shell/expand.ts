// Variable substitution in Dockerfile words: a port of BuildKit's shell-word lexer
// (moby/buildkit frontend/dockerfile/shell/lex.go), quotes, escapes, `$v`, `${v…}` forms,
// error texts and all. The mode is passed in on every call; nothing is kept between calls.
import { TsbuildError } from '../../errors.js';
import { PatternError, replaceAll, replaceFirst, trimPrefix, trimSuffix, type MatchBudget } from './expand-pattern.js';
import { Scanner } from './expand-scanner.js';
import { WordSplitter } from './expand-words.js';

/** How a word is lexed. */
export interface LexOptions {
  /** The Dockerfile's escape character (`# escape=` directive): `\` or `` ` ``. */
  escapeToken: '\\' | '`';
  /** Keep `'` and `"` in the output instead of removing them. */
  rawQuotes?: boolean;
  /** Keep escape characters in the output; the escaped character still loses its meaning. */
  rawEscapes?: boolean;
  /**
   * Leave references to unset variables as written (`$v`, `${v}`, `${v:-w}` with `w`
   * expanded) instead of expanding them; BuildKit uses this to tell heredoc words apart.
   */
  skipUnsetEnv?: boolean;
  /** Shared by every word of one Dockerfile; without one, each call gets its own. */
  budget?: ExpansionBudget;
}

/** No word a Dockerfile needs comes near this; `ENV a=$a$a` repeated does in 20 lines. */
const MAX_WORD = 1 << 20;
/** Characters that variable references may produce in all the words of one Dockerfile. */
const MAX_TOTAL = 16 << 20;
/** `${a:-${a:-…}}` this deep and the lexer's recursion would exhaust the stack. */
const MAX_NESTING = 500;
/** Steps of `${v#p}`, `${v%p}` and `${v/p/r}` matching in one Dockerfile (well under a second). */
const MAX_MATCH_STEPS = 4_000_000;

/**
 * Bounds the work of expansion so a hostile Dockerfile (`ENV a=$a$a` doubling, ARG chains,
 * wildcard patterns on long values) fails at its line in well under a second instead of
 * exhausting memory or time.
 */
export class ExpansionBudget implements MatchBudget {
  private characters: number;
  private steps: number;

  constructor(
    readonly maxWord = MAX_WORD,
    maxTotal = MAX_TOTAL,
    maxSteps = MAX_MATCH_STEPS,
  ) {
    this.characters = maxTotal;
    this.steps = maxSteps;
  }

  /** Pattern matching work; throws once the Dockerfile's allowance is spent. */
  charge(steps: number): void {
    this.steps -= steps;
    if (this.steps < 0) throw new PatternError(`pattern matching in this Dockerfile needs more than ${MAX_MATCH_STEPS} steps`);
  }

  /** Characters produced by variable references; throws once the allowance is spent. */
  produce(characters: number): void {
    this.characters -= characters;
    if (this.characters < 0) {
      throw new LexFault(`variables in this Dockerfile expand to more than ${MAX_TOTAL} characters in total`);
    }
  }
}

/** Variables visible to a word; a name mapped to `''` is set but empty. */
export type Env = ReadonlyMap<string, string>;

/** A word that cannot be expanded: bad syntax, or a `${v?msg}` / `${v:?msg}` that fired. */
export class ShellExpansionError extends TsbuildError {
  readonly code = 'shell-expansion';
  readonly exitCode = 2;
}

/**
 * Expands `word` into one string: white space is kept, nothing is split. `matched` and
 * `unmatched` are the variable names looked up that `env` has and has not. Throws
 * ShellExpansionError for bad syntax and for a `${v?msg}` that fires.
 */
export function processWord(word: string, env: Env, opts: LexOptions): { value: string; matched: Set<string>; unmatched: Set<string> } {
  const { text, matched, unmatched } = lex(word, env, opts);
  return { value: text, matched, unmatched };
}

/**
 * Expands `word` and splits the result on unquoted white space, as a shell would. Throws
 * ShellExpansionError, as processWord does.
 */
export function processWords(word: string, env: Env, opts: LexOptions): { words: string[]; matched: Set<string>; unmatched: Set<string> } {
  const { words, matched, unmatched } = lex(word, env, opts);
  return { words, matched, unmatched };
}

/** Both results of one pass; BuildKit also builds the text and the words side by side. */
function lex(word: string, env: Env, opts: LexOptions) {
  const lexer = new Lexer(word, env, opts);
  try {
    const { text, words } = lexer.run();
    return { text, words, matched: lexer.matched, unmatched: lexer.unmatched };
  } catch (err) {
    if (!isFault(err)) throw err;
    // Go's %q and JSON agree on everything a Dockerfile word normally holds.
    throw new ShellExpansionError(`failed to process ${JSON.stringify(word)}: ${err.message}`, { cause: err });
  }
}

/** A syntax error found while lexing; `lex` turns it into a ShellExpansionError. */
class LexFault extends Error {}

function isFault(err: unknown): err is LexFault | PatternError {
  return err instanceof LexFault || err instanceof PatternError;
}

const MISSING_BRACE = "syntax error: missing '}'";
const LETTER = /^\p{L}$/u; // Go's unicode.IsLetter
const DIGIT = /^\p{Nd}$/u; // Go's unicode.IsDigit
/** POSIX special parameters; like positional ones they are never set in a Dockerfile. */
const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

/** The state of one call: where the scanner is and which names were looked up. */
class Lexer {
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();
  private readonly scanner: Scanner;
  private readonly budget: ExpansionBudget;

  constructor(
    word: string,
    private readonly env: Env,
    private readonly opts: LexOptions,
  ) {
    this.scanner = new Scanner(word);
    this.budget = opts.budget ?? new ExpansionBudget();
  }

  /** `text + more`, refused past the word limit. */
  private grow(text: string, more: string): string {
    if (text.length + more.length > this.budget.maxWord) {
      throw new LexFault(`the expanded word is longer than ${this.budget.maxWord} characters`);
    }
    return text + more;
  }

  run(): { text: string; words: string[] } {
    return this.until(undefined, this.opts.rawEscapes ?? false);
  }

  /**
   * Lexes up to `stop` (consumed) or, without one, to the end. `rawEscapes` is per level:
   * patterns keep their escapes so the glob still sees `\*`, while `${v:-w}` words drop them.
   */
  private until(stop: string | undefined, rawEscapes: boolean): { text: string; words: string[] } {
    const s = this.scanner;
    const words = new WordSplitter();
    let text = '';
    for (let ch = s.peek(); ch !== undefined; ch = s.peek()) {
      if (ch === stop) {
        s.next();
        return { text, words: words.finish() };
      }
      if (ch === '$') {
        const value = this.dollar();
        text = this.grow(text, value);
        words.addSplittable(value);
        continue;
      }
      if (ch === "'" || ch === '"') {
        const quoted = ch === "'" ? this.singleQuoted() : this.doubleQuoted(rawEscapes);
        text += quoted;
        words.addLiteral(quoted);
        continue;
      }
      s.next();
      if (ch !== this.opts.escapeToken) {
        text += ch;
        words.addSplittable(ch);
        continue;
      }
      if (rawEscapes) {
        text += ch;
        words.addLiteral(ch);
      }
      // An escape at the very end escapes nothing and is dropped.
      const escaped = s.next();
      if (escaped === undefined) break;
      text += escaped;
      words.addLiteral(escaped);
    }
    if (stop !== undefined) throw new LexFault(`unexpected end of statement while looking for matching ${stop}`);
    return { text, words: words.finish() };
  }

  /** `'…'`: every character literal, no escapes at all. */
  private singleQuoted(): string {
    const quote = this.scanner.next()!;
    let text = this.opts.rawQuotes ? quote : '';
    for (;;) {
      const ch = this.scanner.next();
      if (ch === undefined) throw new LexFault('unexpected end of statement while looking for matching single-quote');
      if (ch === quote) return this.opts.rawQuotes ? text + ch : text;
      text += ch;
    }
  }

  /** `"…"`: expands `$`; the escape character only escapes `"`, `$` and itself. */
  private doubleQuoted(rawEscapes: boolean): string {
    const s = this.scanner;
    const quote = s.next()!;
    let text = this.opts.rawQuotes ? quote : '';
    for (;;) {
      const ch = s.peek();
      if (ch === undefined) throw new LexFault('unexpected end of statement while looking for matching double-quote');
      if (ch === quote) {
        s.next();
        return this.opts.rawQuotes ? text + ch : text;
      }
      if (ch === '$') {
        text = this.grow(text, this.dollar());
        continue;
      }
      s.next();
      if (ch !== this.opts.escapeToken) {
        text += ch;
        continue;
      }
      if (rawEscapes) text += ch;
      const next = s.peek();
      if (next === undefined) continue; // reported as the missing closing quote
      if (next === '"' || next === '$' || next === this.opts.escapeToken) text += s.next();
      else text += ch; // any other escape stays literal
    }
  }

  /** A `$…` reference's value, charged to the budget. */
  private dollar(): string {
    const value = this.reference();
    this.budget.produce(value.length);
    return value;
  }

  private depth = 0;

  /** `$name`, `${name}` and `${name<op>…}`, at a `$`. */
  private reference(): string {
    if (++this.depth > MAX_NESTING) throw new LexFault(`variable references are nested more than ${MAX_NESTING} deep`);
    try {
      return this.referenceBody();
    } finally {
      this.depth--;
    }
  }

  private referenceBody(): string {
    const s = this.scanner;
    s.next();
    if (s.peek() !== '{') {
      const name = this.name();
      if (name === '') return '$'; // `$` followed by no name is literal
      const value = this.lookup(name);
      if (value === undefined && this.opts.skipUnsetEnv) return '$' + name;
      return value ?? '';
    }
    s.next();
    const first = s.peek();
    if (first === undefined) throw new LexFault(MISSING_BRACE);
    if (first === '{' || first === '}' || first === ':') throw new LexFault('syntax error: bad substitution');
    const name = this.name();
    const op = s.next();
    // BuildKit reports `${name` at the end as an unsupported modifier U+FFFD; say what is wrong.
    if (op === undefined) throw new LexFault(MISSING_BRACE);
    if (op === '}') {
      const value = this.lookup(name);
      if (value === undefined && this.opts.skipUnsetEnv) return `\${${name}}`;
      return value ?? '';
    }
    if (op === '/') return this.substitute(name);
    if (op === ':') return this.modify(name, ':', s.next());
    if ('+-?#%'.includes(op)) return this.modify(name, '', op);
    throw unsupported(op);
  }

  /**
   * `${name<colon><op>word}`. With a colon, an empty value counts as unset. The word is read
   * (and its own variables looked up) before the modifier is judged, as BuildKit does, so
   * `${v:=w}` looks `v` up before it fails.
   */
  private modify(name: string, colon: '' | ':', op: string | undefined): string {
    const modifier = colon + (op ?? '');
    const isPattern = op === '#' || op === '%';
    if (colon && isPattern) throw unsupported(modifier);
    let word = this.untilBrace('}', isPattern, MISSING_BRACE);
    const value = this.lookup(name);
    if (value === undefined && this.opts.skipUnsetEnv) return `\${${name}${modifier}${word}}`;
    const unset = value === undefined || (colon !== '' && value === '');
    switch (op) {
      case '-':
        return unset ? word : value!;
      case '+':
        return unset ? '' : word;
      case '?':
        if (!unset) return value!;
        throw new LexFault(`${name}: ${word || (value === undefined ? 'is not allowed to be unset' : 'is not allowed to be empty')}`);
      case '#':
      case '%': {
        // A doubled operator (`##`, `%%`) asks for the longest match.
        const greedy = word.startsWith(op);
        if (greedy) word = word.slice(1);
        return (op === '#' ? trimPrefix : trimSuffix)(value ?? '', word, greedy, this.budget);
      }
      default:
        throw unsupported(modifier);
    }
  }

  /** `${name/pattern/replacement}` and `${name//pattern/replacement}`, after the first `/`. */
  private substitute(name: string): string {
    const all = this.scanner.peek() === '/';
    if (all) this.scanner.next();
    const pattern = this.untilBrace('/', true, "syntax error: missing '/' in ${}");
    const replacement = this.untilBrace('}', true, MISSING_BRACE);
    const value = this.lookup(name);
    if (value === undefined && this.opts.skipUnsetEnv) return `\${${name}${all ? '//' : '/'}${pattern}/${replacement}}`;
    if (all) return replaceAll(value ?? '', pattern, replacement, this.budget, this.budget.maxWord);
    return replaceFirst(value ?? '', pattern, replacement, this.budget);
  }

  /** `until` inside `${…}`: any failure that ran off the end means the `${…}` was never closed. */
  private untilBrace(stop: string, rawEscapes: boolean, missing: string): string {
    try {
      return this.until(stop, rawEscapes).text;
    } catch (err) {
      if (isFault(err) && this.scanner.atEnd()) throw new LexFault(missing, { cause: err });
      throw err;
    }
  }

  /** A variable name, a run of digits (positional parameter) or one special parameter. */
  private name(): string {
    const s = this.scanner;
    const first = s.peek();
    if (first === undefined) return '';
    if (DIGIT.test(first)) {
      let digits = '';
      while (s.peek() !== undefined && DIGIT.test(s.peek()!)) digits += s.next();
      return digits;
    }
    if (SPECIAL_PARAMS.has(first)) return s.next()!;
    let name = '';
    for (let ch = s.peek(); ch !== undefined && (LETTER.test(ch) || DIGIT.test(ch) || ch === '_'); ch = s.peek()) {
      name += s.next();
    }
    return name;
  }

  private lookup(name: string): string | undefined {
    const value = this.env.get(name);
    (value === undefined ? this.unmatched : this.matched).add(name);
    return value;
  }
}

function unsupported(modifier: string): LexFault {
  return new LexFault(`unsupported modifier (${modifier}) in substitution`);
}
