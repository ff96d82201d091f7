import type { Command } from '../command.js';
import { familiarRepository, parseReference } from '../../image/reference.js';
import { parseStoreArgs, requireCount, withStore } from '../../store/command-args.js';
import { formatAge, formatBytes } from '../../store/units.js';

const usage = `usage: tsbuild images [--json] [-q]

Lists the images in the store.

options:
      --json       one JSON array: Id, RepoTags, Created, Size
  -q, --quiet      print only image IDs
      --root DIR   store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)`;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]! + 3))).join('')).join('\n');
}

export const command: Command = {
  name: 'images',
  summary: 'List images',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(argv, { json: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' } }, usage);
    requireCount(positionals, usage, { min: 0 });
    return withStore(values, async (store) => {
      const images = store.listImages();
      if (values.json) {
        const out = images.map((img) => ({
          Id: img.id,
          RepoTags: img.tags.map((t) => {
            const ref = parseReference(t);
            return `${familiarRepository(ref)}:${ref.tag ?? 'latest'}`;
          }),
          ManifestDigest: img.manifestDigest,
          Created: new Date(img.created).toISOString(),
          Size: img.size,
        }));
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return 0;
      }
      if (values.quiet) {
        for (const img of images) process.stdout.write(`${img.id.slice(7, 19)}\n`);
        return 0;
      }
      const rows = [['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE']];
      for (const img of images) {
        const common = [img.id.slice(7, 19), formatAge(img.created), formatBytes(img.size)];
        if (img.tags.length === 0) rows.push(['<none>', '<none>', ...common]);
        for (const t of img.tags) {
          const ref = parseReference(t);
          rows.push([familiarRepository(ref), ref.tag ?? '<none>', ...common]);
        }
      }
      process.stdout.write(`${table(rows)}\n`);
      return 0;
    });
  },
};
