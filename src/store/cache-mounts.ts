import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from './blobs.js';
import type { StoreContext } from './context.js';

/**
 * The directory behind a `RUN --mount=type=cache,id=…`, made on first use. The dir name is a
 * hash of the id, so ids with slashes or dots cannot reach outside cache-mounts/.
 */
export function cacheMountDir(ctx: StoreContext, id: string): string {
  const name = sha256(id).slice('sha256:'.length, 'sha256:'.length + 32);
  const dir = join(ctx.paths.cacheMounts, name);
  const now = Date.now();
  // Row and lease first, dir after, all under the write lock: prune never sees the dir unowned.
  ctx.db.transaction(() => {
    ctx.db
      .prepare(
        `INSERT INTO cache_mounts (id, dir, created, last_used) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET last_used = excluded.last_used`,
      )
      .run(id, name, now, now);
    ctx.leases.hold('cache-mount', id);
    mkdirSync(dir, { recursive: true });
  }).immediate();
  return dir;
}
