import { assertNever } from '../../errors.js';
import { InstructionProblem } from '../errors.js';
import { didYouMean } from './suggest.js';

type FlagKind = 'bool' | 'string' | 'strings';

/** Which flags an instruction accepts, and of what kind. */
export type FlagSpec = Record<string, FlagKind>;

/** Parsed flag values: booleans as true/false, strings, or lists for repeatable flags. */
export interface FlagValues {
  bool(name: string): boolean | undefined;
  string(name: string): string | undefined;
  strings(name: string): string[];
  /** Names of the flags that were given. */
  used: string[];
}

/**
 * BuildKit's BFlags: `--name[=value]` words checked against the instruction's flags. An
 * unknown or repeated flag, a boolean that is not true/false and a string flag without
 * a value are errors.
 */
export function parseFlags(keyword: string, words: readonly string[], spec: FlagSpec): FlagValues {
  const values = new Map<string, boolean | string | string[]>();
  for (const word of words) {
    if (!word.startsWith('--')) {
      throw new InstructionProblem(`arg ${JSON.stringify(word)} must start with '--'`, 'write flags as --name=value');
    }
    const body = word.slice(2);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const value = eq < 0 ? undefined : body.slice(eq + 1);
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (kind === undefined) {
      const known = Object.keys(spec).map((n) => `--${n}`);
      throw new InstructionProblem(
        `unknown flag: --${name}${didYouMean(`--${name}`, known)}`,
        known.length ? `${keyword} accepts ${known.join(', ')}` : `${keyword} takes no flags`,
      );
    }
    if (kind !== 'strings' && values.has(name)) {
      throw new InstructionProblem(`duplicate flag specified: ${name}`, `give --${name} only once`);
    }
    values.set(name, flagValue(name, kind, value, values.get(name)));
  }
  return {
    bool: (n) => values.get(n) as boolean | undefined,
    string: (n) => values.get(n) as string | undefined,
    strings: (n) => (values.get(n) as string[] | undefined) ?? [],
    used: [...values.keys()],
  };
}

function flagValue(
  name: string,
  kind: FlagKind,
  value: string | undefined,
  previous: boolean | string | string[] | undefined,
): boolean | string | string[] {
  switch (kind) {
    case 'bool': {
      if (value === undefined) return true;
      const v = value.toLowerCase();
      if (v !== 'true' && v !== 'false') {
        throw new InstructionProblem(`expecting boolean value for flag ${name}, not: ${value}`, `use --${name}=true or --${name}=false`);
      }
      return v === 'true';
    }
    case 'string':
    case 'strings': {
      if (value === undefined) {
        throw new InstructionProblem(`missing a value on flag: ${name}`, `write it as --${name}=<value>`);
      }
      return kind === 'string' ? value : [...((previous as string[] | undefined) ?? []), value];
    }
    default:
      return assertNever(kind, 'flag kind');
  }
}
