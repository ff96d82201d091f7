import { UsageError } from '../../errors.js';
import { pullImage, pullPlatforms } from '../../registry/index.js';
import { platformOption } from '../platform-option.js';
import { parseStoreArgs, requireCount, withStore } from '../../store/command-args.js';
import type { Command } from '../command.js';
import { INSECURE_REGISTRY_OPTION, registryClientOptions } from '../registry-options.js';

const usage = `usage: tsbuild pull [OPTIONS] REF

Pulls an image from a registry into the store and prints its ID. A reference pinned by
digest that is already in the store is not fetched again. From a multi-platform image the
name keeps the platforms asked for, and an ID is printed for each.

options:
      --platform P1[,P2…]        the platforms to keep from a multi-platform image (default: this machine's)
      --all-platforms            keep every platform of a multi-platform image
      --insecure-registry HOST   talk plain HTTP to HOST (repeatable; loopback hosts always do)
      --root DIR                 store location`;

export const command: Command = {
  name: 'pull',
  summary: 'Pull an image from a registry',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(
      argv,
      { platform: { type: 'string' }, 'all-platforms': { type: 'boolean' }, ...INSECURE_REGISTRY_OPTION },
      usage,
    );
    requireCount(positionals, usage, { min: 1 });
    if (values['all-platforms'] && values.platform !== undefined) throw new UsageError('--platform and --all-platforms exclude each other');
    const platforms = (values.platform ?? '').split(',').filter((p) => p.trim() !== '').map(platformOption);
    return withStore(values, async (store) => {
      const client = registryClientOptions(values);
      const ids =
        values['all-platforms'] || platforms.length > 1
          ? await pullPlatforms(store, positionals[0]!, values['all-platforms'] ? 'all' : platforms, { client })
          : [await pullImage(store, positionals[0]!, { ...(platforms[0] ? { platform: platforms[0] } : {}), client })];
      for (const id of ids) process.stdout.write(`${id}\n`);
      return 0;
    });
  },
};
