import type { StoreContext } from './context.js';

/**
 * The stat fields that say a file is unchanged, as exact plain numbers: times in whole
 * seconds and nanoseconds, the inode in 32-bit halves. A warm no-op build compares
 * thousands of them, so neither a lookup nor the walk that feeds it makes a BigInt.
 */
export interface FileStamp {
  size: number;
  mode: number;
  mtimeSec: number;
  mtimeNsec: number;
  ctimeSec: number;
  ctimeNsec: number;
  inoHigh: number;
  inoLow: number;
}

/**
 * Content digests of context files keyed by their stat, so an unchanged file costs one
 * lstat; and digests of whole directories keyed by a fingerprint of their listing, so an
 * unchanged directory costs nothing per file.
 */
export interface StatCache {
  /** The digest recorded for `path` if its stat still matches, else undefined. */
  lookup(path: string, st: FileStamp): string | undefined;
  /** Remembers a digest; written at the next flush. */
  record(path: string, st: FileStamp, digest: string): void;
  /** The digest recorded for directory `path` with this fingerprint, else undefined. */
  lookupDir(path: string, fingerprint: string): string | undefined;
  recordDir(path: string, fingerprint: string, digest: string): void;
  /** Writes recorded entries in one transaction. */
  flush(): void;
}

interface Entry extends FileStamp {
  digest: string;
}

function toEntry(st: FileStamp, digest: string): Entry {
  const { size, mode, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec, inoHigh, inoLow } = st;
  return { size, mode, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec, inoHigh, inoLow, digest };
}

function matches(e: Entry, st: FileStamp): boolean {
  return (
    e.mtimeNsec === st.mtimeNsec &&
    e.ctimeNsec === st.ctimeNsec &&
    e.mtimeSec === st.mtimeSec &&
    e.ctimeSec === st.ctimeSec &&
    e.size === st.size &&
    e.inoLow === st.inoLow &&
    e.inoHigh === st.inoHigh &&
    e.mode === st.mode
  );
}

const NS = 1_000_000_000n;

// Rows keep nanosecond times and the inode as single integers (the format since the first
// schema); SQLite splits them, so reading rows makes no BigInt. A time's nanoseconds are
// taken modulo 1e9 upwards, as in a timespec, so times before 1970 split the same way.
// Rows are read one directory at a time (a key range, then its direct children only): an
// edit rebuild reads the rows of the directories that changed, not of the whole context.
const COLUMNS = `path, size, mode, (mtime_ns - m) / 1000000000, m, (ctime_ns - c) / 1000000000, c, ino >> 32, ino & 4294967295, digest`;
const SPLIT = `*, (mtime_ns % 1000000000 + 1000000000) % 1000000000 AS m, (ctime_ns % 1000000000 + 1000000000) % 1000000000 AS c`;
const LOAD_TOP = `SELECT ${COLUMNS} FROM (SELECT ${SPLIT} FROM stat_cache WHERE context_id = ? AND instr(path, '/') = 0)`;
// `dir/` up to `dir0` ('0' follows '/'): everything below dir; instr keeps its direct children.
const LOAD_UNDER = `SELECT ${COLUMNS} FROM (SELECT ${SPLIT} FROM stat_cache
  WHERE context_id = @context AND path >= @from AND path < @to AND instr(substr(path, length(@from) + 1), '/') = 0)`;

type Row = [string, number, number, number, number, number, number, number, number, string];

/** Opens the stat cache of one build context; rows are read on first use. */
export function openStatCache(ctx: StoreContext, contextId: string): StatCache {
  const byDir = new Map<string, Map<string, Entry>>();
  const pending = new Map<string, Entry>();
  let dirs: Map<string, { fingerprint: string; digest: string }> | undefined;
  const pendingDirs = new Map<string, { fingerprint: string; digest: string }>();
  const filesIn = (dir: string): Map<string, Entry> => {
    let files = byDir.get(dir);
    if (files) return files;
    // Rows come as arrays (raw): no per-row object to build and throw away.
    const rows = (
      dir === ''
        ? ctx.db.prepare(LOAD_TOP).raw(true).all(contextId)
        : ctx.db
            .prepare(LOAD_UNDER)
            .raw(true)
            .all({ context: contextId, from: `${dir}/`, to: `${dir}0` })
    ) as Row[];
    files = new Map();
    for (const [path, size, mode, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec, inoHigh, inoLow, digest] of rows) {
      files.set(path, { size, mode, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec, inoHigh, inoLow, digest });
    }
    byDir.set(dir, files);
    return files;
  };
  const dirRows = (): Map<string, { fingerprint: string; digest: string }> => {
    if (dirs) return dirs;
    const rows = ctx.db.prepare('SELECT path, fingerprint, digest FROM dir_cache WHERE context_id = ?').raw(true).all(contextId) as [
      string,
      string,
      string,
    ][];
    dirs = new Map(rows.map(([path, fingerprint, digest]) => [path, { fingerprint, digest }]));
    return dirs;
  };
  return {
    lookup(path, st) {
      const entry = pending.get(path) ?? filesIn(path.slice(0, Math.max(0, path.lastIndexOf('/')))).get(path);
      return entry && matches(entry, st) ? entry.digest : undefined;
    },
    record(path, st, digest) {
      pending.set(path, toEntry(st, digest));
    },
    lookupDir(path, fingerprint) {
      const row = pendingDirs.get(path) ?? dirRows().get(path);
      return row?.fingerprint === fingerprint ? row.digest : undefined;
    },
    recordDir(path, fingerprint, digest) {
      pendingDirs.set(path, { fingerprint, digest });
    },
    flush() {
      if (pending.size === 0 && pendingDirs.size === 0) return;
      const upsert = ctx.db.prepare(
        `INSERT OR REPLACE INTO stat_cache (context_id, path, size, mtime_ns, ctime_ns, ino, mode, digest)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const upsertDir = ctx.db.prepare('INSERT OR REPLACE INTO dir_cache (context_id, path, fingerprint, digest) VALUES (?, ?, ?, ?)');
      ctx.db
        .transaction(() => {
          for (const [path, e] of pending) {
            const mtimeNs = BigInt(e.mtimeSec) * NS + BigInt(e.mtimeNsec);
            const ctimeNs = BigInt(e.ctimeSec) * NS + BigInt(e.ctimeNsec);
            const ino = (BigInt(e.inoHigh) << 32n) | BigInt(e.inoLow);
            upsert.run(contextId, path, e.size, mtimeNs, ctimeNs, ino, e.mode, e.digest);
          }
          for (const [path, d] of pendingDirs) upsertDir.run(contextId, path, d.fingerprint, d.digest);
        })
        .immediate();
      for (const [path, e] of pending) byDir.get(path.slice(0, Math.max(0, path.lastIndexOf('/'))))?.set(path, e);
      for (const [path, d] of pendingDirs) dirs?.set(path, d);
      pending.clear();
      pendingDirs.clear();
    },
  };
}
