import type { Command } from '../command.js';
import { loadImages } from '../../api/index.js';
import { UsageError } from '../../errors.js';
import { parseStoreArgs, requireCount } from '../command-args.js';
import { transferRenderer } from '../progress/transfer.js';

const usage = `usage: tsbuild load [-i FILE|DIR]

Loads images from a docker-archive (docker save) or an OCI layout or archive, as a tar
(gzipped or not) or a directory; without -i, a tar on stdin (\`tsbuild save app | tsbuild load\`).

options:
  -i, --input PATH   the archive to read (default: stdin)
  -q, --quiet        print only image IDs (and no per-layer progress on stderr)
      --root DIR     store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)`;

export const command: Command = {
  name: 'load',
  summary: 'Load images from a docker-archive or OCI archive',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(argv, { input: { type: 'string', short: 'i' }, quiet: { type: 'boolean', short: 'q' } }, usage);
    requireCount(positionals, usage, { min: 0 });
    if (values.input === undefined && process.stdin.isTTY) {
      throw new UsageError('requested load from stdin, but stdin is a terminal: use -i FILE or pipe an archive in (tsbuild save app | tsbuild load)');
    }
    const input = values.input === undefined || values.input === '-' ? process.stdin : values.input;
    const display = values.quiet ? undefined : transferRenderer(process.stderr);
    const loaded = await loadImages(input, {
      ...(values.root !== undefined ? { root: values.root } : {}),
      ...(display ? { onProgress: display.onProgress } : {}),
    }).finally(() => display?.finish());
    // The images of a multi-platform name share it: the name is printed once.
    const printed = new Set<string>();
    for (const image of loaded) {
      if (values.quiet) process.stdout.write(`${image.id}\n`);
      else if (image.tags.length === 0) process.stdout.write(`Loaded image ID: ${image.id}\n`);
      for (const tag of values.quiet ? [] : image.tags.filter((t) => !printed.has(t))) {
        printed.add(tag);
        process.stdout.write(`Loaded image: ${tag}\n`);
      }
    }
    return 0;
  },
};
