import type { StoreContext } from './context.js';

/** The stat fields that say a file is unchanged; `fs.lstat(p, { bigint: true })` gives all of them. */
export interface FileStamp {
  size: number | bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: number | bigint;
  mode: number | bigint;
}

/** Content digests of context files keyed by their stat, so an unchanged file costs one lstat. */
export interface StatCache {
  /** The digest recorded for `path` if its stat still matches, else undefined. */
  lookup(path: string, st: FileStamp): string | undefined;
  /** Remembers a digest; written at the next flush. */
  record(path: string, st: FileStamp, digest: string): void;
  /** Writes recorded entries in one transaction. */
  flush(): void;
}

// Size and mode are plain numbers (both far below 2^53); times and inode stay exact bigints.
// A warm no-op build compares thousands of these, so a lookup allocates nothing.
interface Entry {
  size: number;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: bigint;
  mode: number;
  digest: string;
}

function toEntry(st: FileStamp, digest: string): Entry {
  return { size: Number(st.size), mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, ino: BigInt(st.ino), mode: Number(st.mode), digest };
}

function matches(e: Entry, st: FileStamp): boolean {
  return (
    e.size === Number(st.size) &&
    e.mtimeNs === st.mtimeNs &&
    e.ctimeNs === st.ctimeNs &&
    e.ino === (typeof st.ino === 'bigint' ? st.ino : BigInt(st.ino)) &&
    e.mode === Number(st.mode)
  );
}

/** Opens the stat cache of one build context (its rows are loaded once, on first lookup). */
export function openStatCache(ctx: StoreContext, contextId: string): StatCache {
  let loaded: Map<string, Entry> | undefined;
  const pending = new Map<string, Entry>();
  const load = (): Map<string, Entry> => {
    if (loaded) return loaded;
    // Nanosecond times pass 2^53; safeIntegers reads them back as exact bigints.
    // Rows come as arrays (raw): no per-row object to build and throw away.
    const rows = ctx.db
      .prepare('SELECT path, size, mtime_ns, ctime_ns, ino, mode, digest FROM stat_cache WHERE context_id = ?')
      .safeIntegers(true)
      .raw(true)
      .all(contextId) as [string, bigint, bigint, bigint, bigint, bigint, string][];
    loaded = new Map();
    for (const [path, size, mtimeNs, ctimeNs, ino, mode, digest] of rows) {
      loaded.set(path, { size: Number(size), mtimeNs, ctimeNs, ino, mode: Number(mode), digest });
    }
    return loaded;
  };
  return {
    lookup(path, st) {
      const entry = pending.get(path) ?? load().get(path);
      return entry && matches(entry, st) ? entry.digest : undefined;
    },
    record(path, st, digest) {
      pending.set(path, toEntry(st, digest));
    },
    flush() {
      if (pending.size === 0) return;
      const upsert = ctx.db.prepare(
        `INSERT OR REPLACE INTO stat_cache (context_id, path, size, mtime_ns, ctime_ns, ino, mode, digest)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      ctx.db
        .transaction(() => {
          for (const [path, e] of pending) upsert.run(contextId, path, e.size, e.mtimeNs, e.ctimeNs, e.ino, e.mode, e.digest);
        })
        .immediate();
      const cache = load();
      for (const [path, e] of pending) cache.set(path, e);
      pending.clear();
    },
  };
}
