import { parsePlatform } from '../../platform.js';
import { pullImage } from '../../registry/index.js';
import { parseStoreArgs, requireCount, withStore } from '../../store/command-args.js';
import type { Command } from '../command.js';
import { INSECURE_REGISTRY_OPTION, registryClientOptions } from '../registry-options.js';

const usage = `usage: tsbuild pull [OPTIONS] REF

Pulls an image from a registry into the store and prints its ID. A reference pinned by
digest that is already in the store is not fetched again.

options:
      --platform OS/ARCH         pick this platform from a multi-platform image (default: this machine's)
      --insecure-registry HOST   talk plain HTTP to HOST (repeatable; loopback hosts always do)
      --root DIR                 store location`;

export const command: Command = {
  name: 'pull',
  summary: 'Pull an image from a registry',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(argv, { platform: { type: 'string' }, ...INSECURE_REGISTRY_OPTION }, usage);
    requireCount(positionals, usage, { min: 1 });
    return withStore(values, async (store) => {
      const id = await pullImage(store, positionals[0]!, {
        ...(values.platform ? { platform: parsePlatform(values.platform) } : {}),
        client: registryClientOptions(values),
      });
      process.stdout.write(`${id}\n`);
      return 0;
    });
  },
};
