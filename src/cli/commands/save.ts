import type { Command } from '../command.js';
import { saveImages } from '../../api/index.js';
import { UsageError } from '../../errors.js';
import { parseStoreArgs, requireCount } from '../command-args.js';
import { transferRenderer } from '../progress/transfer.js';

const usage = `usage: tsbuild save [-o FILE] [--format docker|oci] IMAGE...

Writes images to an archive, on stdout without -o (not to a terminal). The docker format
loads with \`docker load\` and skopeo's docker-archive transport; both formats are OCI image
layouts (oci-archive, umoci). An output that is an existing directory or ends with / is
written as a directory.

options:
  -o, --output PATH      where to write (default: stdout)
      --format FORMAT    docker (default) or oci
  -q, --quiet            no per-layer progress on stderr
      --root DIR         store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)`;

export const command: Command = {
  name: 'save',
  summary: 'Save images to a docker-archive or OCI archive',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(
      argv,
      { output: { type: 'string', short: 'o' }, format: { type: 'string', default: 'docker' }, quiet: { type: 'boolean', short: 'q' } },
      usage,
    );
    requireCount(positionals, usage, { min: 1, max: Infinity });
    const format = values.format;
    if (format !== 'docker' && format !== 'oci') throw new UsageError(`--format must be docker or oci, got "${format}"`);
    const output = values.output ?? process.stdout;
    if (output === process.stdout && process.stdout.isTTY) {
      throw new UsageError('cowardly refusing to write an archive to the terminal: use -o FILE or redirect stdout (tsbuild save IMAGE > image.tar)');
    }
    const display = values.quiet ? undefined : transferRenderer(process.stderr);
    await saveImages(positionals, output, {
      format,
      ...(values.root !== undefined ? { root: values.root } : {}),
      ...(display ? { onProgress: display.onProgress } : {}),
    }).finally(() => display?.finish());
    return 0;
  },
};
