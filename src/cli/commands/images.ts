import type { Command } from '../command.js';
import { listImages, type ImageFilters, type ImageListEntry } from '../../api/index.js';
import { UsageError } from '../../errors.js';
import { parseStoreArgs, requireCount } from '../command-args.js';
import { formatAge, formatBytes } from '../units.js';
import { alignColumns, formatItems } from '../format-output.js';

const usage = `usage: tsbuild images [OPTIONS] [REPOSITORY[:TAG]]

Lists the images in the store, one row per name; PLATFORM lists every platform a
multi-platform name holds (its row shows the image of this machine's platform).

options:
  -q, --quiet            print only image IDs
  -f, --filter K=V       dangling=true|false, reference=PATTERN, label=KEY[=VALUE] (repeatable)
      --format TEMPLATE  a Go template ({{.Repository}}:{{.Tag}}, {{.ID}}), "table …" or json
      --no-trunc         full image IDs
      --json             one JSON array: Id, RepoTags, Platforms, Created, Size
      --root DIR         store location (default $TSBUILD_ROOT or ~/.local/share/tsbuild)`;

/** One line of `docker images`, with docker's field names (what --format sees). */
interface ImageRow {
  Containers: string;
  CreatedAt: string;
  CreatedSince: string;
  Digest: string;
  ID: string;
  Repository: string;
  SharedSize: string;
  Size: string;
  Tag: string;
  UniqueSize: string;
  Platform: string;
  VirtualSize: string;
}

const HEADERS: Record<string, string> = { ID: 'IMAGE ID', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT' };

function rows(images: ImageListEntry[], noTrunc: boolean): ImageRow[] {
  return images.flatMap((img) => {
    const common = {
      Containers: 'N/A',
      CreatedAt: new Date(img.created)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' +0000 UTC'),
      CreatedSince: formatAge(img.created),
      Digest: img.manifestDigest,
      ID: noTrunc ? img.id : img.id.slice(7, 19),
      Platform: img.platforms.join(','),
      SharedSize: 'N/A',
      Size: formatBytes(img.size),
      UniqueSize: 'N/A',
      VirtualSize: formatBytes(img.size),
    };
    if (img.repoTags.length === 0) return [{ ...common, Repository: '<none>', Tag: '<none>' }];
    return img.repoTags.map((t) => {
      const colon = t.lastIndexOf(':');
      return { ...common, Repository: t.slice(0, colon), Tag: t.slice(colon + 1) };
    });
  });
}

function parseFilters(values: string[], positional: string | undefined): ImageFilters {
  const filters: ImageFilters = {};
  for (const f of values) {
    const eq = f.indexOf('=');
    const [key, value] = eq < 0 ? [f, ''] : [f.slice(0, eq), f.slice(eq + 1)];
    if (key === 'dangling') {
      if (value !== 'true' && value !== 'false') throw new UsageError(`--filter dangling=${value}: use dangling=true or dangling=false`);
      filters.dangling = value === 'true';
    } else if (key === 'reference' && value) (filters.reference ??= []).push(value);
    else if (key === 'label' && value) (filters.label ??= []).push(value);
    else throw new UsageError(`--filter "${f}" is not supported; use dangling=true|false, reference=PATTERN or label=KEY[=VALUE]`);
  }
  // `images REPO` lists every tag of REPO; `images REPO:TAG` that one.
  if (positional !== undefined) (filters.reference ??= []).push(positional);
  return filters;
}

export const command: Command = {
  name: 'images',
  summary: 'List images',
  usage,
  async run(argv) {
    const { values, positionals } = parseStoreArgs(
      argv,
      {
        json: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        filter: { type: 'string', short: 'f', multiple: true },
        format: { type: 'string' },
        'no-trunc': { type: 'boolean' },
        all: { type: 'boolean', short: 'a' },
      },
      usage,
    );
    requireCount(positionals, usage, { min: 0, max: 1 });
    const images = await listImages({
      ...(values.root !== undefined ? { root: values.root } : {}),
      filters: parseFilters(values.filter ?? [], positionals[0]),
    });
    if (values.json) {
      const out = images.map((img) => ({
        Id: img.id,
        RepoTags: img.repoTags,
        Platforms: img.platforms,
        ManifestDigest: img.manifestDigest,
        Created: new Date(img.created).toISOString(),
        Size: img.size,
      }));
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    }
    const noTrunc = values['no-trunc'] ?? false;
    if (values.quiet) {
      // One line per image, as docker -q does, even when it has several names.
      for (const img of images) process.stdout.write(`${noTrunc ? img.id : img.id.slice(7, 19)}\n`);
      return 0;
    }
    const table = rows(images, noTrunc);
    if (values.format !== undefined) {
      process.stdout.write(formatItems(values.format, table, HEADERS));
      return 0;
    }
    const lines = [
      'REPOSITORY\tTAG\tIMAGE ID\tPLATFORM\tCREATED\tSIZE',
      ...table.map((r) => [r.Repository, r.Tag, r.ID, r.Platform, r.CreatedSince, r.Size].join('\t')),
    ];
    process.stdout.write(alignColumns(lines));
    return 0;
  },
};
