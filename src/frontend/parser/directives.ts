import { InstructionProblem } from '../errors.js';

export type EscapeToken = '\\' | '`';

/** `# check=skip=A,B;error=true`: which build checks to skip and whether they fail the build. */
export interface CheckDirective {
  skip: string[] | 'all';
  error: boolean;
  /** Experimental rules to run too (`experimental=A,B` or `all`). */
  experimental?: string[] | 'all';
}

/** Parser directives found at the top of a Dockerfile. */
export interface Directives {
  /** The `# syntax=` value as written (always a docker/dockerfile image). */
  syntax?: string;
  escape: EscapeToken;
  check?: CheckDirective;
}

const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$/;
const KNOWN = new Set(['syntax', 'escape', 'check']);
/** The only frontend tsbuild serves: any docker/dockerfile image (tag or digest optional). */
const DOCKERFILE_FRONTEND = /^(?:docker\.io\/)?docker\/dockerfile(?::[\w][\w.-]*)?(?:@sha256:[a-f0-9]{64})?$/;

/**
 * Scans lines for parser directives with BuildKit's rules: only at the very top, keys
 * case-insensitive, each at most once; the first line that is not a known directive
 * (blank, comment, instruction or unknown directive) ends scanning for good.
 */
export class DirectiveScanner {
  private done = false;
  private readonly seen = new Set<string>();
  readonly directives: Directives = { escape: '\\' };

  /** Feeds one line (newline and leading whitespace already trimmed); true if it was a directive. */
  scan(line: string): boolean {
    if (this.done) return false;
    if (!line.startsWith('#')) {
      this.done = true;
      return false;
    }
    const match = DIRECTIVE.exec(line.slice(1).trimStart());
    const key = match?.[1]?.toLowerCase();
    if (!match || key === undefined || !KNOWN.has(key)) {
      this.done = true;
      return false;
    }
    if (this.seen.has(key)) {
      throw new InstructionProblem(`only one ${key} parser directive can be used`, `remove the second "# ${key}=" line`, 'dockerfile-directive');
    }
    this.seen.add(key);
    this.apply(key, match[2] ?? '');
    return true;
  }

  private apply(key: string, value: string): void {
    if (key === 'escape') {
      if (value !== '\\' && value !== '`') {
        throw new InstructionProblem(
          `invalid escape token '${value}' does not match \` or \\`,
          'use "# escape=\\" (the default) or "# escape=`"',
          'dockerfile-directive',
        );
      }
      this.directives.escape = value;
    } else if (key === 'syntax') {
      this.directives.syntax = checkSyntax(value);
    } else {
      this.directives.check = parseCheck(value);
    }
  }
}

function checkSyntax(value: string): string {
  // BuildKit passes anything after a space to the frontend as options; the image is the first word.
  const image = value.split(' ')[0] ?? '';
  if (!DOCKERFILE_FRONTEND.test(image)) {
    throw new InstructionProblem(
      `unsupported syntax frontend "${image}": tsbuild only serves docker/dockerfile`,
      'remove the "# syntax=" line or set it to docker/dockerfile:1',
      'dockerfile-directive',
    );
  }
  return value;
}

/** The `check` directive's value, also the format of `--build-arg BUILDKIT_DOCKERFILE_CHECK`. */
export function parseCheck(value: string): CheckDirective {
  const check: CheckDirective = { skip: [], error: false };
  for (const part of value.split(';')) {
    const [rawKey = '', rawValue = ''] = splitOnce(part.trim(), '=');
    const key = rawKey.trim().toLowerCase();
    const val = rawValue.trim();
    if (key === 'skip' || key === 'experimental') {
      const names = val
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean);
      check[key] = names.some((n) => n.toLowerCase() === 'all') ? 'all' : names;
    } else if (key === 'error') {
      const b = parseGoBool(val);
      if (b === undefined) throw badCheck(`invalid boolean value "${val}" for error`);
      check.error = b;
    } else {
      throw badCheck(`invalid check option "${part.trim()}"`);
    }
  }
  return check;
}

function badCheck(message: string): InstructionProblem {
  return new InstructionProblem(message, 'write it as "# check=skip=<names|all>;error=<true|false>;experimental=<names|all>"', 'dockerfile-directive');
}

function splitOnce(s: string, sep: string): [string, string?] {
  const i = s.indexOf(sep);
  return i < 0 ? [s] : [s.slice(0, i), s.slice(i + sep.length)];
}

/** Go's strconv.ParseBool; undefined when the text is not a boolean. */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}
