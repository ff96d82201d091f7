import { pushImage } from '../../registry/index.js';
import { parseStoreArgs, requireCount, withStore } from '../../store/command-args.js';
import type { Command } from '../command.js';
import { INSECURE_REGISTRY_OPTION, registryClientOptions } from '../registry-options.js';

const usage = `usage: tsbuild push [OPTIONS] NAME[:TAG] [REF]

Pushes an image from the store to a registry (to NAME itself, or to REF) and prints the
manifest digest. Layers go up gzip-compressed, made once and remembered; blobs the
registry has are skipped; the manifest goes last.

options:
      --insecure-registry HOST   talk plain HTTP to HOST (repeatable; loopback hosts always do)
      --root DIR                 store location`;

export const command: Command = {
  name: 'push',
  summary: 'Push an image to a registry',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(argv, { ...INSECURE_REGISTRY_OPTION }, usage);
    requireCount(positionals, usage, { min: 1, max: 2 });
    const [name, ref = name] = positionals as [string, string?];
    return withStore(values, async (store) => {
      const result = await pushImage(store, name, ref, { client: registryClientOptions(values) });
      process.stdout.write(`${result.digest}\n`);
      return 0;
    });
  },
};
