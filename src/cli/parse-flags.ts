// Flag parsing shared by every subcommand: node:util parseArgs, with its TypeErrors turned
// into usage errors a person can act on (the flag named, a did-you-mean, the usage line).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';
import { closest } from '../frontend/index.js';

export type FlagOptions = NonNullable<ParseArgsConfig['options']>;

type Parsed<O extends FlagOptions> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

export interface ParseFlagsExtras {
  /**
   * Docker flags that mean nothing here (`--rm`, `--load`, `--provenance=false`): dropped before
   * parsing, in both their bare and `=VALUE` forms, so docker habits keep working.
   */
  ignored?: readonly string[];
}

/** Parses `argv` for the command whose help text is `usage`; bad flags become a UsageError (exit 2). */
export function parseFlags<O extends FlagOptions>(argv: string[], options: O, usage: string, extras: ParseFlagsExtras = {}): Parsed<O> {
  const ignored = new Set(extras.ignored ?? []);
  const args = ignored.size === 0 ? argv : dropIgnored(argv, ignored);
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true }) as Parsed<O>;
  } catch (err) {
    if (!(err instanceof TypeError) || !('code' in err) || typeof err.code !== 'string' || !err.code.startsWith('ERR_PARSE_ARGS')) throw err;
    throw new UsageError(`${describeParseError(err.code, err.message, options)}\n${usageHint(usage)}`, { cause: err });
  }
}

/** Drops ignored flags up to `--` (after it everything is a positional). */
function dropIgnored(argv: string[], ignored: Set<string>): string[] {
  const end = argv.indexOf('--');
  const head = end < 0 ? argv : argv.slice(0, end);
  const tail = end < 0 ? [] : argv.slice(end);
  return [...head.filter((a) => !ignored.has(a.split('=', 1)[0]!)), ...tail];
}

function describeParseError(code: string, message: string, options: FlagOptions): string {
  const flag = /'([^']+)'/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const name = flag.split('=', 1)[0]!;
      const candidates = Object.entries(options).flatMap(([long, o]) => [`--${long}`, ...(o.short ? [`-${o.short}`] : [])]);
      const match = name.startsWith('--')
        ? closest(
            name,
            candidates.filter((c) => c.startsWith('--')),
          )
        : undefined;
      return `unknown flag: ${name}${match === undefined ? '' : ` (did you mean ${match}?)`}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      // `Option '-t, --tag <value>' argument missing` / `Option '--rm' does not take an argument`.
      const long = /--[\w-]+/.exec(flag)?.[0] ?? flag;
      if (/argument missing/.test(message)) return `flag needs an argument: ${long}`;
      if (/does not take an argument/.test(message)) return `flag ${long} takes no value`;
      if (/ambiguous/.test(message)) return `flag ${long} needs a value; a value starting with "-" is written ${long}=VALUE`;
      return `bad value for ${long}`;
    }
    default:
      return message.split('.')[0]!;
  }
}

/** The usage line(s) of a help text and where to find the rest. */
export function usageHint(usage: string): string {
  const lines = usage.split('\n');
  const blank = lines.findIndex((l) => l.trim() === '');
  const head = (blank < 0 ? lines : lines.slice(0, blank)).join('\n');
  const command = /^usage: tsbuild ([a-z]+(?: graph)?)/.exec(head)?.[1] ?? '';
  return `${head}\nRun 'tsbuild ${command} --help' for its options.`;
}
