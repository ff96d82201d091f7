import type { StoreContext } from './context.js';
import { requireLayer } from './snapshots.js';

/** What a cached step produced: its layer (null when it changed only the config) and config change. */
export interface CacheRecord {
  key: string;
  chainId: string | null;
  /** Whatever the solver stored, parsed back from JSON. */
  configDelta: unknown;
  created: number;
  lastUsed: number;
}

export interface PutCacheRecordOptions {
  key: string;
  chainId: string | null;
  configDelta: unknown;
  /** When the step first ran (ms); defaults to now. An imported record keeps its original time. */
  created?: number;
}

/** Looks up a cache key; a hit refreshes last_used (for LRU pruning) and joins the current lease. */
export function getCacheRecord(ctx: StoreContext, key: string): CacheRecord | null {
  // IMMEDIATE: in WAL mode a read that later writes fails outright (no waiting) if another
  // process committed in between; taking the write lock first makes it wait instead.
  return ctx.db
    .transaction((): CacheRecord | null => {
      const row = ctx.db.prepare('SELECT key, chain_id, config_delta, created, last_used FROM cache_records WHERE key = ?').get(key) as
        { key: string; chain_id: string | null; config_delta: string; created: number; last_used: number } | undefined;
      if (!row) return null;
      const now = Date.now();
      ctx.db.prepare('UPDATE cache_records SET last_used = ? WHERE key = ?').run(now, key);
      if (row.chain_id !== null) ctx.leases.hold('snapshot', row.chain_id);
      return { key: row.key, chainId: row.chain_id, configDelta: JSON.parse(row.config_delta), created: row.created, lastUsed: now };
    })
    .immediate();
}

/** Records (or replaces) what a step produced under its cache key. */
export function putCacheRecord(ctx: StoreContext, opts: PutCacheRecordOptions): void {
  if (opts.chainId !== null) requireLayer(ctx, opts.chainId);
  const now = Date.now();
  ctx.db
    .prepare(
      `INSERT INTO cache_records (key, chain_id, config_delta, created, last_used) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET chain_id = excluded.chain_id, config_delta = excluded.config_delta, last_used = excluded.last_used`,
    )
    .run(opts.key, opts.chainId, JSON.stringify(opts.configDelta ?? null), opts.created ?? now, now);
}
