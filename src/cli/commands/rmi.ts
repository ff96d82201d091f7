import type { Command } from '../command.js';
import { familiarReference, parseReference } from '../../image/reference.js';
import { parseStoreArgs, requireCount, withStore } from '../../store/command-args.js';

const usage = `usage: tsbuild rmi [-f] IMAGE...

Removes names, and images left without a name. An image ID removes the image and all its
names; with several names that needs -f. Disk space comes back at the next \`tsbuild prune\`.

options:
  -f, --force      remove an image by ID even when several names point at it
      --root DIR   store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)`;

export const command: Command = {
  name: 'rmi',
  summary: 'Remove images',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(argv, { force: { type: 'boolean', short: 'f' } }, usage);
    requireCount(positionals, usage, { min: 1, max: Infinity });
    return withStore(values, async (store) => {
      for (const ref of positionals) {
        const result = store.removeImage(ref, { force: values.force ?? false });
        for (const name of result.untagged) process.stdout.write(`Untagged: ${familiarReference(parseReference(name))}\n`);
        if (result.deleted) process.stdout.write(`Deleted: ${result.deleted}\n`);
      }
      return 0;
    }, { freesSpace: true });
  },
};
