import type { Command } from '../command.js';
import { UsageError } from '../../errors.js';
import { parseStoreArgs, requireCount, withStore } from '../command-args.js';
import type { PruneOptions } from '../../store/index.js';
import { formatBytes, parseBytes, parseDuration } from '../units.js';

const usage = `usage: tsbuild prune [--all] [--keep-storage SIZE] [--filter until=DURATION]

Removes untagged images and whatever no image, build cache record or running build refers
to. Build cache is kept unless selected: --all takes all of it (and RUN cache mounts),
--filter until=24h what has not been used for that long, --keep-storage 10GB the least
recently used until the store fits. Tagged images and what running builds hold stay.

options:
  -a, --all                  remove all build cache
      --keep-storage SIZE    keep at most SIZE bytes (e.g. 10GB)
      --filter until=DUR     only what is older than DUR (e.g. 24h, 1h30m)
  -f, --force                accepted for docker compatibility (prune never prompts)
      --json                 print what was removed as JSON
      --root DIR             store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)`;

function pruneOptions(values: { all?: boolean; 'keep-storage'?: string; filter?: string[] }): PruneOptions {
  const opts: PruneOptions = { all: values.all ?? false };
  if (values['keep-storage'] !== undefined) opts.keepStorage = parseBytes(values['keep-storage']);
  for (const filter of values.filter ?? []) {
    const [key, value] = filter.split(/=(.*)/s, 2);
    if (key !== 'until' || !value) throw new UsageError(`unsupported filter "${filter}": only until=DURATION is known`);
    opts.until = parseDuration(value);
  }
  return opts;
}

export const command: Command = {
  name: 'prune',
  summary: 'Remove unused images, layers, blobs and build cache',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(
      argv,
      {
        all: { type: 'boolean', short: 'a' },
        force: { type: 'boolean', short: 'f' },
        'keep-storage': { type: 'string' },
        filter: { type: 'string', multiple: true },
        json: { type: 'boolean' },
      },
      usage,
    );
    requireCount(positionals, usage, { min: 0 });
    const opts = pruneOptions(values);
    return withStore(
      values,
      async (store) => {
        const result = await store.prune(opts);
        if (values.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        } else {
          process.stdout.write(
            `Removed ${result.images} image(s), ${result.cacheRecords} cache record(s), ` +
              `${result.cacheMounts} cache mount(s) (${formatBytes(result.cacheMountBytes)}), ` +
              `${result.layers} layer(s), ${result.blobs} blob(s)\nTotal reclaimed space: ${formatBytes(result.reclaimedBytes)}\n`,
          );
        }
        return 0;
      },
      { freesSpace: true },
    );
  },
};
