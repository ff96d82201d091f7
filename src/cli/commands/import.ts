import type { Command } from '../command.js';
import { importImage } from '../../api/index.js';
import { UsageError } from '../../errors.js';
import { platformOption } from '../platform-option.js';
import { parseStoreArgs, requireCount } from '../command-args.js';

const usage = `usage: tsbuild import [OPTIONS] ROOTFS.tar|DIR|-

Creates a one-layer image from a root filesystem (a tar, gzipped or not, a directory, or
- for a tar on stdin) and prints its ID. A name keeps its images of other platforms:
importing arm64 files with --platform linux/arm64 under a name that holds an amd64 image
makes it a multi-platform name.

options:
  -t, --tag NAME[:TAG]       name the image (repeatable)
      --platform OS/ARCH     the platform the files are for (default: this machine's)
      --root DIR         store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)

The image's creation time is $SOURCE_DATE_EPOCH when set (a reproducible ID), else now.`;

function createdTime(): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return new Date();
  if (!/^\d+$/.test(epoch)) throw new UsageError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${epoch}"`);
  return new Date(Number(epoch) * 1000);
}

export const command: Command = {
  name: 'import',
  summary: 'Create an image from a root filesystem tarball or directory',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(argv, { tag: { type: 'string', short: 't', multiple: true }, platform: { type: 'string' } }, usage);
    requireCount(positionals, usage, { min: 1 });
    const source = positionals[0] === '-' ? process.stdin : positionals[0]!;
    if (source === process.stdin && process.stdin.isTTY) throw new UsageError('import - reads a tar from stdin, but stdin is a terminal; pipe a tar in');
    const result = await importImage(source, {
      tags: values.tag ?? [],
      created: createdTime(),
      ...(values.platform !== undefined ? { platform: platformOption(values.platform) } : {}),
      ...(values.root !== undefined ? { root: values.root } : {}),
    });
    process.stdout.write(`${result.id}\n`);
    return 0;
  },
};
