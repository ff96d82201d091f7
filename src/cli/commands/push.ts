import { push } from '../../api/index.js';
import { parseStoreArgs, requireCount } from '../command-args.js';
import type { Command } from '../command.js';
import { transferRenderer } from '../progress/transfer.js';
import { INSECURE_REGISTRY_OPTION } from '../registry-options.js';

const usage = `usage: tsbuild push [OPTIONS] NAME[:TAG] [REF]

Pushes an image from the store to a registry (to NAME itself, or to REF) and prints the
manifest digest. Layers go up gzip-compressed, made once and remembered; blobs the
registry has are skipped; the manifest goes last.

options:
  -q, --quiet                    no per-layer progress on stderr
      --insecure-registry HOST   talk plain HTTP to HOST (repeatable; loopback hosts always do)
      --root DIR                 store location`;

export const command: Command = {
  name: 'push',
  summary: 'Push an image to a registry',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(argv, { quiet: { type: 'boolean', short: 'q' }, ...INSECURE_REGISTRY_OPTION }, usage);
    const display = values.quiet ? undefined : transferRenderer(process.stderr);
    requireCount(positionals, usage, { min: 1, max: 2 });
    const [name, ref = name] = positionals as [string, string?];
    const result = await push(name, ref, {
      ...(values.root !== undefined ? { root: values.root } : {}),
      insecureRegistries: values['insecure-registry'] ?? [],
      ...(display ? { onProgress: display.onProgress } : {}),
    }).finally(() => display?.finish());
    process.stdout.write(`${result.digest}\n`);
    return 0;
  },
};
