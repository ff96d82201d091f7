// Argument parsing shared by the store subcommands: node:util parseArgs plus the global
// --root, with parse failures turned into usage errors that name the flag and show the usage line.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseFlags } from '../cli/parse-flags.js';
import { UsageError } from '../errors.js';
import { resolveStoreRoot } from './root.js';
import { releaseReserveIfShort, reportingNoSpace } from './disk-space.js';
import { openStore, type Store } from './store.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const ROOT_OPTION = { root: { type: 'string' } } as const;

/** Parses argv for a store command; `--root DIR` is accepted by every one. */
type StoreArgsConfig<O extends Options> = { args: string[]; options: O & typeof ROOT_OPTION; allowPositionals: true; strict: true };

export function parseStoreArgs<O extends Options>(
  argv: string[],
  options: O,
  usage: string,
): ReturnType<typeof parseArgs<StoreArgsConfig<O>>> {
  return parseFlags(argv, { ...options, ...ROOT_OPTION }, usage);
}

/**
 * Runs a command's work on the store the command line names (--root, $TSBUILD_ROOT or the
 * default), closing it whatever happens. A full disk is reported as such; commands that
 * free space (`freesSpace`) first give back the store's reserve when space is short, so
 * they work even at 0 bytes free.
 */
export async function withStore<T>(
  values: { root?: unknown },
  work: (store: Store) => Promise<T>,
  opts: { freesSpace?: boolean } = {},
): Promise<T> {
  const root = resolveStoreRoot(typeof values.root === 'string' ? { root: values.root } : {});
  return reportingNoSpace(root, async () => {
    if (opts.freesSpace) releaseReserveIfShort(root);
    const store = openStore(root);
    try {
      return await work(store);
    } finally {
      store.close();
    }
  });
}

/** Checks the number of positional arguments; `max` defaults to `min`. */
export function requireCount(positionals: string[], usage: string, count: { min: number; max?: number }): void {
  const max = count.max ?? count.min;
  if (positionals.length >= count.min && positionals.length <= max) return;
  const expected = max === count.min ? `${max}` : max === Infinity ? `at least ${count.min}` : `${count.min} to ${max}`;
  throw new UsageError(`expected ${expected} argument(s), got ${positionals.length}\n\n${usage}`);
}
