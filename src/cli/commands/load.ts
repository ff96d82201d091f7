import type { Command } from '../command.js';
import { loadImages } from '../../image/load-images.js';
import { familiarReference, parseReference } from '../../image/reference.js';
import { parseStoreArgs, requireCount, withStore } from '../../store/command-args.js';
import { UsageError } from '../../errors.js';

const usage = `usage: tsbuild load -i FILE|DIR

Loads images from a docker-archive (docker save) or an OCI layout or archive, as a tar
(gzipped or not) or a directory.

options:
  -i, --input PATH   the archive to read
  -q, --quiet        print only image IDs
      --root DIR     store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)`;

export const command: Command = {
  name: 'load',
  summary: 'Load images from a docker-archive or OCI archive',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(
      argv,
      { input: { type: 'string', short: 'i' }, quiet: { type: 'boolean', short: 'q' } },
      usage,
    );
    requireCount(positionals, usage, { min: 0 });
    const input = values.input;
    if (input === undefined) throw new UsageError(`-i FILE is required (reading stdin is not supported)\n\n${usage}`);
    return withStore(values, async (store) => {
      // The images of a multi-platform name share it: the name is printed once.
      const printed = new Set<string>();
      for (const image of await loadImages(store, input)) {
        if (values.quiet) process.stdout.write(`${image.id}\n`);
        else if (image.tags.length === 0) process.stdout.write(`Loaded image ID: ${image.id}\n`);
        for (const tag of values.quiet ? [] : image.tags.filter((t) => !printed.has(t))) {
          printed.add(tag);
          process.stdout.write(`Loaded image: ${familiarReference(parseReference(tag))}\n`);
        }
      }
      return 0;
    });
  },
};
