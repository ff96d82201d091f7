import type { Command } from '../command.js';
import { parseStoreArgs, requireCount, withStore } from '../command-args.js';
import { formatBytes } from '../units.js';

const usage = `usage: tsbuild du [--json]

Shows what the store holds and what \`tsbuild prune --all\` would free.

options:
      --json       print the numbers as JSON
      --root DIR   store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)`;

export const command: Command = {
  name: 'du',
  summary: 'Show store disk usage',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(argv, { json: { type: 'boolean' } }, usage);
    requireCount(positionals, usage, { min: 0 });
    return withStore(values, async (store) => {
      const du = store.diskUsage();
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ root: store.root, ...du }, null, 2)}\n`);
        return 0;
      }
      const rows = [
        ['TYPE', 'COUNT', 'SIZE', 'RECLAIMABLE'],
        ['Images', `${du.images.count} (${du.images.tagged} tagged)`, '', ''],
        ['Layers', String(du.layers.count), formatBytes(du.layers.size), formatBytes(du.layers.reclaimable)],
        ['Blobs', String(du.blobs.count), formatBytes(du.blobs.size), formatBytes(du.blobs.reclaimable)],
        ['Cache records', String(du.cacheRecords.count), '', ''],
        ['Cache mounts', String(du.cacheMounts.count), formatBytes(du.cacheMounts.size), formatBytes(du.cacheMounts.reclaimable)],
      ];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      process.stdout.write(
        `${rows
          .map((r) =>
            r
              .map((c, i) => c.padEnd(widths[i]! + 3))
              .join('')
              .trimEnd(),
          )
          .join('\n')}\n`,
      );
      process.stdout.write(`Total: ${formatBytes(du.layers.size + du.blobs.size + du.cacheMounts.size)} in ${store.root}\n`);
      return 0;
    });
  },
};
