import { MEDIA_TYPES, type ImageIndex, formatReference, parseReference } from '../image/index.js';
import { formatPlatform, type Platform } from '../platform.js';
import type { Store } from '../store/index.js';
import { RegistryClient } from './client.js';
import { RegistryError } from './errors.js';
import { selectPlatform } from '../platform-match.js';
import { pullImage, type PullOptions } from './pull.js';

const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList]);

/**
 * `pull --platform A,B` / `--all-platforms` of a tag: the name then holds exactly the pulled
 * platforms' images, in the index's order. A single-platform image is pulled as it is.
 * Returns the IDs pulled.
 */
export async function pullPlatforms(
  store: Store,
  ref: string,
  want: Platform[] | 'all',
  opts: Omit<PullOptions, 'platform' | 'addToName'> = {},
): Promise<string[]> {
  const parsed = parseReference(ref);
  const client = new RegistryClient({ ...opts.client, host: parsed.domain });
  const top = await client.getManifest(parsed.path, parsed.digest ?? parsed.tag!);
  if (!INDEX_TYPES.has(top.mediaType)) return [await pullImage(store, ref, opts)];
  const index = JSON.parse(top.bytes.toString('utf8')) as ImageIndex;
  const entries = index.manifests.filter((m) => m.platform && m.platform.os !== 'unknown');
  const chosen =
    want === 'all'
      ? entries
      : want.map((p) => {
          const entry = selectPlatform(entries, p);
          if (!entry) {
            const offered = entries.map((m) => formatPlatform(m.platform!)).join(', ');
            throw new RegistryError('no-matching-platform', `${ref} has no image for ${formatPlatform(p)} (it has ${offered || 'none'})`);
          }
          return entry;
        });
  const repo = `${parsed.domain}/${parsed.path}`;
  const ids: string[] = [];
  for (const entry of chosen) ids.push(await pullImage(store, `${repo}@${entry.digest}`, { ...opts, platform: entry.platform! }));
  await store.writeBlob(top.bytes, { mediaType: top.mediaType });
  if (parsed.digest === undefined) store.tagPlatforms(formatReference(parsed), ids);
  return ids;
}
