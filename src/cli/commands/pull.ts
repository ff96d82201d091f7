import { pull } from '../../api/index.js';
import { parseStoreArgs, requireCount } from '../command-args.js';
import type { Command } from '../command.js';
import { transferRenderer } from '../progress/transfer.js';
import { INSECURE_REGISTRY_OPTION } from '../registry-options.js';

const usage = `usage: tsbuild pull [OPTIONS] REF

Pulls an image from a registry into the store and prints its ID. A reference pinned by
digest that is already in the store is not fetched again. From a multi-platform image the
name keeps the platforms asked for, and an ID is printed for each.

options:
      --platform P1[,P2…]        the platforms to keep from a multi-platform image (default: this machine's)
      --all-platforms            keep every platform of a multi-platform image
  -q, --quiet                    no per-layer progress on stderr
      --insecure-registry HOST   talk plain HTTP to HOST (repeatable; loopback hosts always do)
      --root DIR                 store location`;

export const command: Command = {
  name: 'pull',
  summary: 'Pull an image from a registry',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(
      argv,
      { platform: { type: 'string' }, 'all-platforms': { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, ...INSECURE_REGISTRY_OPTION },
      usage,
    );
    const display = values.quiet ? undefined : transferRenderer(process.stderr);
    requireCount(positionals, usage, { min: 1 });
    const ids = await pull(positionals[0]!, {
      ...(values.root !== undefined ? { root: values.root } : {}),
      ...(values.platform ? { platform: values.platform } : {}),
      ...(values['all-platforms'] ? { allPlatforms: true } : {}),
      insecureRegistries: values['insecure-registry'] ?? [],
      ...(display ? { onProgress: display.onProgress } : {}),
    }).finally(() => display?.finish());
    for (const id of ids) process.stdout.write(`${id}\n`);
    return 0;
  },
};
