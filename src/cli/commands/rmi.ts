import type { Command } from '../command.js';
import { formatPlatform } from '../../platform.js';
import { platformOption } from '../platform-option.js';
import { removeImage } from '../../api/index.js';
import { parseStoreArgs, requireCount } from '../command-args.js';

const usage = `usage: tsbuild rmi [-f] [--platform OS/ARCH] IMAGE...

Removes names, and images left without a name. A name holding several platforms goes with all
of them unless --platform names the one to take out. An image ID removes the image and all its
names; with several names that needs -f. Disk space comes back at the next \`tsbuild prune\`.

options:
  -f, --force              remove an image by ID even when several names point at it
      --platform OS/ARCH   remove only this platform's image from the name
      --no-prune           accepted for docker compatibility (layers go at the next prune anyway)
      --root DIR           store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)`;

export const command: Command = {
  name: 'rmi',
  summary: 'Remove images',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(
      argv,
      { force: { type: 'boolean', short: 'f' }, 'no-prune': { type: 'boolean' }, platform: { type: 'string' } },
      usage,
    );
    const platform = values.platform === undefined ? undefined : platformOption(values.platform);
    requireCount(positionals, usage, { min: 1, max: Infinity });
    const root = values.root !== undefined ? { root: values.root } : {};
    for (const ref of positionals) {
      const result = await removeImage(ref, { ...root, force: values.force ?? false, ...(platform ? { platform } : {}) });
      const which = platform ? ` (${formatPlatform(platform)})` : '';
      for (const name of result.untagged) process.stdout.write(`Untagged: ${name}${which}\n`);
      for (const id of result.deleted) process.stdout.write(`Deleted: ${id}\n`);
    }
    return 0;
  },
};
