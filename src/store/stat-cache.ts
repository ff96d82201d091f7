// The SQLite side of the context's stat cache (src/context/stat-cache.ts has the interface and
// what a match means): content digests of context files keyed by their stat, so an unchanged
// file costs one lstat, and digests of whole directories keyed by a fingerprint of their
// listing, so an unchanged directory costs nothing per file.
import { copyStat, sameStat, type StatCache, type StatKey } from '../context/index.js';
import type { StoreContext } from './context.js';

interface Entry extends StatKey {
  digest: string;
}

function toEntry(st: StatKey, digest: string): Entry {
  return { ...copyStat(st), digest };
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
      return entry && sameStat(entry, st) ? entry.digest : undefined;
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
