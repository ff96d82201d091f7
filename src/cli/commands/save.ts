import type { Command } from '../command.js';
import { UsageError } from '../../errors.js';
import { saveImages } from '../../image/save-images.js';
import { parseStoreArgs, requireCount, withStore } from '../../store/command-args.js';

const usage = `usage: tsbuild save -o FILE [--format docker|oci] IMAGE...

Writes images to an archive. The docker format loads with \`docker load\` and skopeo's
docker-archive transport; both formats are OCI image layouts (oci-archive, umoci).
An output that is an existing directory or ends with / is written as a directory.

options:
  -o, --output PATH      where to write (required)
      --format FORMAT    docker (default) or oci
      --root DIR         store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)`;

export const command: Command = {
  name: 'save',
  summary: 'Save images to a docker-archive or OCI archive',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(
      argv,
      { output: { type: 'string', short: 'o' }, format: { type: 'string', default: 'docker' } },
      usage,
    );
    requireCount(positionals, usage, { min: 1, max: Infinity });
    const output = values.output;
    if (output === undefined) throw new UsageError(`-o FILE is required (writing to stdout is not supported)\n\n${usage}`);
    const format = values.format;
    if (format !== 'docker' && format !== 'oci') throw new UsageError(`--format must be docker or oci, got "${format}"`);
    return withStore(values, async (store) => {
      await saveImages(store, { refs: positionals, output, format });
      return 0;
    });
  },
};
