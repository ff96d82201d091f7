import type { Command } from '../command.js';
import { imageHistory, type ImageHistoryEntry } from '../../api/index.js';
import { parseStoreArgs, requireCount } from '../command-args.js';
import { formatAge, formatBytes } from '../units.js';
import { alignColumns, formatItems } from '../format-output.js';

const usage = `usage: tsbuild history [OPTIONS] IMAGE

Shows the steps that made an image, newest first: when, which instruction, the size of the
layer it added, and its comment.

options:
  -H, --human            human-readable sizes and dates (default true; --human=false for raw)
      --no-trunc         do not shorten the IDs and instructions
  -q, --quiet            print only IDs
      --format TEMPLATE  a Go template ({{.CreatedBy}}, {{.Size}}, {{.ID}}, …), "table …" or json
      --root DIR         store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)`;

/** A `docker history` line, with docker's field names (what --format sees). */
interface HistoryRow {
  Comment: string;
  CreatedAt: string;
  CreatedBy: string;
  CreatedSince: string;
  ID: string;
  Size: string;
}

const HEADERS: Record<string, string> = { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY' };
const CREATED_BY_WIDTH = 45;

function row(entry: ImageHistoryEntry, noTrunc: boolean): HistoryRow {
  const createdBy = entry.createdBy.replace(/\s+/g, ' ');
  const created = entry.created === null ? undefined : Date.parse(entry.created);
  return {
    Comment: entry.comment,
    CreatedAt: entry.created ?? '',
    CreatedBy: noTrunc || createdBy.length <= CREATED_BY_WIDTH ? createdBy : `${createdBy.slice(0, CREATED_BY_WIDTH - 1)}…`,
    CreatedSince: created === undefined || Number.isNaN(created) ? '' : formatAge(created),
    ID: entry.id === '<missing>' || noTrunc ? entry.id : entry.id.slice(7, 19),
    Size: formatBytes(entry.size),
  };
}

export const command: Command = {
  name: 'history',
  summary: 'Show the history of an image',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(
      argv,
      { 'no-trunc': { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' }, format: { type: 'string' }, human: { type: 'string', short: 'H' } },
      usage,
    );
    requireCount(positionals, usage, { min: 1 });
    const entries = await imageHistory(positionals[0]!, values.root !== undefined ? { root: values.root } : {});
    const noTrunc = values['no-trunc'] ?? false;
    const rows = entries.map((e) => row(e, noTrunc));
    if (values.human === 'false') {
      rows.forEach((r, i) => Object.assign(r, { Size: String(entries[i]!.size), CreatedSince: entries[i]!.created ?? '' }));
    }
    if (values.quiet) {
      process.stdout.write(rows.map((r) => `${r.ID}\n`).join(''));
      return 0;
    }
    if (values.format !== undefined) {
      process.stdout.write(formatItems(values.format, rows, HEADERS));
      return 0;
    }
    const lines = ['IMAGE\tCREATED\tCREATED BY\tSIZE\tCOMMENT', ...rows.map((r) => [r.ID, r.CreatedSince, r.CreatedBy, r.Size, r.Comment].join('\t'))];
    process.stdout.write(alignColumns(lines));
    return 0;
  },
};
