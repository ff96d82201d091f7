import type { Command } from '../command.js';
import { tagImage } from '../../api/index.js';
import { UsageError } from '../../errors.js';
import { normalizeTagName } from '../../image/index.js';
import { parseStoreArgs, requireCount } from '../command-args.js';

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
    // Checked first, as docker does: a bad name is an error whether or not SOURCE exists.
    try {
      normalizeTagName(target);
    } catch (err) {
      const why = err instanceof Error ? err.message.replace(/^invalid reference "[^"]*": /, '') : String(err);
      throw new UsageError(`Error parsing reference: "${target}" is not a valid repository/tag: invalid reference format: ${why}`, { cause: err });
    }
    await tagImage(source, target, values.root !== undefined ? { root: values.root } : {});
    return 0;
  },
};
