// A name can hold one image per platform, what an OCI index holds. `tags` keeps the member used
// when no platform is asked for (this machine's platform when held, else the first);
// `name_platforms` lists every member in index order once a name holds more than one.
import type { ImageConfig } from '../image/index.js';
import { normalizeTagName } from '../image/index.js';
import { formatPlatform, hostPlatform, parsePlatform, type Platform } from '../platform.js';
import { selectPlatform } from '../platform-match.js';
import { readBlobSync } from './blobs.js';
import type { StoreContext } from './context.js';
import { ImageNotFoundError } from './errors.js';

/** One platform's image under a name. */
export interface PlatformImage {
  /** `os/arch[/variant]`, from the image's config. */
  platform: string;
  id: string;
}

/** The platform an image's config declares. */
export function platformOfImage(ctx: StoreContext, id: string): string {
  const config = JSON.parse(readBlobSync(ctx, id).toString('utf8')) as ImageConfig;
  return formatPlatform({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) });
}

/** The images a name holds, one per platform, in index order; [] for an unknown name. */
export function nameMembers(ctx: StoreContext, name: string): PlatformImage[] {
  const normalized = normalizeTagName(name);
  const rows = ctx.db.prepare('SELECT platform, image_id AS id FROM name_platforms WHERE name = ? ORDER BY idx').all(normalized) as PlatformImage[];
  if (rows.length > 0) return rows;
  const tagged = ctx.db.prepare('SELECT image_id FROM tags WHERE name = ?').get(normalized) as { image_id: string } | undefined;
  return tagged ? [{ platform: platformOfImage(ctx, tagged.image_id), id: tagged.image_id }] : [];
}

/** The member that runs on `want` (variants matched as containerd does), if any. */
export function memberFor(members: readonly PlatformImage[], want: Platform): PlatformImage | undefined {
  const chosen = selectPlatform(
    members.map((m) => ({ mediaType: '', digest: m.id, size: 0, platform: parsePlatform(m.platform) })),
    want,
  );
  return members.find((m) => m.id === chosen?.digest);
}

/**
 * Points `name` at exactly `members` (one image per platform, in this order), replacing what it
 * held. Returns the normalized name.
 */
export function setNameMembers(ctx: StoreContext, name: string, members: readonly PlatformImage[]): string {
  const normalized = normalizeTagName(name);
  const first = members[0];
  if (!first) throw new Error('a name needs at least one image');
  const main = memberFor(members, hostPlatform()) ?? first;
  ctx.db
    .transaction(() => {
      const tagged = ctx.db.prepare('INSERT OR REPLACE INTO tags (name, image_id) SELECT ?, id FROM images WHERE id = ?').run(normalized, main.id);
      if (tagged.changes === 0) throw new ImageNotFoundError(main.id);
      ctx.db.prepare('DELETE FROM name_platforms WHERE name = ?').run(normalized);
      if (members.length < 2) return;
      const add = ctx.db.prepare('INSERT INTO name_platforms (name, idx, platform, image_id) VALUES (?, ?, ?, ?)');
      members.forEach((m, idx) => add.run(normalized, idx, m.platform, m.id));
    })
    .immediate();
  return normalized;
}

/** Adds `id` under `name` next to the other platforms' images, replacing the one of its platform. */
export function addNameMember(ctx: StoreContext, name: string, id: string): string {
  const platform = platformOfImage(ctx, id);
  const others = nameMembers(ctx, name).filter((m) => m.platform !== platform);
  return setNameMembers(ctx, name, [...others, { platform, id }]);
}
