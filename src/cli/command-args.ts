// Argument parsing shared by the store subcommands: node:util parseArgs plus the global
// --root, with parse failures turned into usage errors that name the flag and show the usage line.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseFlags } from './parse-flags.js';
import { UsageError } from '../errors.js';
export { withStore } from '../store/index.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const ROOT_OPTION = { root: { type: 'string' } } as const;

/** Parses argv for a store command; `--root DIR` is accepted by every one. */
type StoreArgsConfig<O extends Options> = { args: string[]; options: O & typeof ROOT_OPTION; allowPositionals: true; strict: true };

export function parseStoreArgs<O extends Options>(argv: string[], options: O, usage: string): ReturnType<typeof parseArgs<StoreArgsConfig<O>>> {
  return parseFlags(argv, { ...options, ...ROOT_OPTION }, usage);
}

/** Checks the number of positional arguments; `max` defaults to `min`. */
export function requireCount(positionals: string[], usage: string, count: { min: number; max?: number }): void {
  const max = count.max ?? count.min;
  if (positionals.length >= count.min && positionals.length <= max) return;
  const expected = max === count.min ? `${max}` : max === Infinity ? `at least ${count.min}` : `${count.min} to ${max}`;
  throw new UsageError(`expected ${expected} argument(s), got ${positionals.length}\n\n${usage}`);
}
