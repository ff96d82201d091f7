import type { Command } from '../command.js';
import { familiarRepository, parseReference } from '../../image/reference.js';
import { formatPlatform } from '../../platform.js';
import { parseStoreArgs, requireCount, withStore } from '../../store/command-args.js';
import { formatAge, formatBytes } from '../../store/units.js';

const usage = `usage: tsbuild images [--json] [-q]

Lists the images in the store, one row per name; PLATFORM lists every platform a
multi-platform name holds (its row shows the image of this machine's platform).

options:
      --json       one JSON array: Id, RepoTags, Platforms, Created, Size
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
      // Images held only as another platform of a name show on that name's row.
      const platformsOf = (name: string): string[] => store.imagesOfName(name).map((m) => m.platform);
      const ownPlatform = (id: string): string[] => {
        const config = store.resolveImage(id)?.config;
        return config ? [formatPlatform({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) })] : [];
      };
      const all = store.listImages();
      const members = new Set(
        all.flatMap((img) => img.tags.flatMap((t) => store.imagesOfName(t).map((m) => m.image.id))),
      );
      const images = all.filter((img) => img.tags.length > 0 || !members.has(img.id));
      if (values.json) {
        const out = images.map((img) => ({
          Id: img.id,
          RepoTags: img.tags.map((t) => {
            const ref = parseReference(t);
            return `${familiarRepository(ref)}:${ref.tag ?? 'latest'}`;
          }),
          Platforms: img.tags.length > 0 ? [...new Set(img.tags.flatMap(platformsOf))] : ownPlatform(img.id),
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
      const rows = [['REPOSITORY', 'TAG', 'IMAGE ID', 'PLATFORM', 'CREATED', 'SIZE']];
      for (const img of images) {
        const id = img.id.slice(7, 19);
        const common = [formatAge(img.created), formatBytes(img.size)];
        if (img.tags.length === 0) rows.push(['<none>', '<none>', id, ownPlatform(img.id).join(','), ...common]);
        for (const t of img.tags) {
          const ref = parseReference(t);
          rows.push([familiarRepository(ref), ref.tag ?? '<none>', id, platformsOf(t).join(','), ...common]);
        }
      }
      process.stdout.write(`${table(rows)}\n`);
      return 0;
    });
  },
};
