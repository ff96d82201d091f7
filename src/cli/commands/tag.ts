import type { Command } from '../command.js';
import { ImageNotFoundError } from '../../store/errors.js';
import { parseStoreArgs, requireCount, withStore } from '../../store/command-args.js';

const usage = `usage: tsbuild tag SOURCE TARGET

Names an image: SOURCE is a name or ID, TARGET a NAME[:TAG] (moved if it named another image).
A SOURCE name holding several platforms gives TARGET all of them.

options:
      --root DIR   store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)`;

export const command: Command = {
  name: 'tag',
  summary: 'Give an image another name',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(argv, {}, usage);
    requireCount(positionals, usage, { min: 2 });
    const [source, target] = positionals as [string, string];
    return withStore(values, async (store) => {
      const image = store.resolveImage(source);
      if (!image) throw new ImageNotFoundError(source);
      const platforms = store.imagesOfName(source);
      if (platforms.length > 1) store.tagPlatforms(target, platforms.map((m) => m.image.id));
      else store.tag(target, image.id);
      return 0;
    });
  },
};
