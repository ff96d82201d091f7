import { closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { native } from '../native.js';
import { sha256Digest } from '../fs/index.js';
import type { StoreContext } from './context.js';

/**
 * The directory behind a `RUN --mount=type=cache,id=…`, made on first use. The dir name is a
 * hash of the id, so ids with slashes or dots cannot reach outside cache-mounts/.
 */
export function cacheMountDir(ctx: StoreContext, id: string): string {
  const name = dirName(id);
  const dir = join(ctx.paths.cacheMounts, name);
  const now = Date.now();
  // Row and lease first, dir after, all under the write lock: prune never sees the dir unowned.
  ctx.db
    .transaction(() => {
      ctx.db
        .prepare(
          `INSERT INTO cache_mounts (id, dir, created, last_used) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET last_used = excluded.last_used`,
        )
        .run(id, name, now, now);
      ctx.leases.hold('cache-mount', id);
      mkdirSync(dir, { recursive: true });
    })
    .immediate();
  return dir;
}

function dirName(id: string): string {
  return sha256Digest(id).slice('sha256:'.length, 'sha256:'.length + 32);
}

/**
 * Runs `fn` holding cache mount `id` exclusively across processes (sharing=locked): two
 * builds in two processes never write one cache at the same time. The lock is a flock, so
 * it is released when its process dies, however it dies. Waits by polling, never blocking
 * the event loop.
 */
export async function withCacheMountLock<T>(ctx: StoreContext, id: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(ctx.paths.locks, { recursive: true, mode: 0o700 });
  const fd = openSync(join(ctx.paths.locks, `cache-${dirName(id)}`), constants.O_RDWR | constants.O_CREAT, 0o600);
  try {
    for (let delay = 5; !native.tryLockExclusive(fd); delay = Math.min(delay * 2, 200)) await sleep(delay);
    return await fn();
  } finally {
    closeSync(fd);
  }
}
