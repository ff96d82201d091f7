// The stat cache lets an unchanged file cost one lstat instead of a full read: a digest is
// reused while (size, mtime, ctime, inode, mode) are unchanged. ctime changes on any write
// or chmod/chown, so a matching tuple means the content and metadata are what was hashed.

/**
 * The stat fields a cached digest is valid for, as exact plain numbers (times in seconds and
 * nanoseconds, the inode in 32-bit halves): a warm build compares thousands of them.
 */
export interface StatKey {
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
 * Digest cache keyed by path (relative to the context root). The store provides a SQLite one.
 * Directories have their own entries, keyed by a fingerprint of everything their digest
 * depends on, so an unchanged directory costs no lookup per file.
 */
export interface StatCache {
  /** The digest recorded for `path` if it was recorded with exactly this stat. */
  lookup(path: string, st: StatKey): string | undefined;
  record(path: string, st: StatKey, digest: string): void;
  /** The digest recorded for directory `path` with exactly this fingerprint. */
  lookupDir(path: string, fingerprint: string): string | undefined;
  recordDir(path: string, fingerprint: string, digest: string): void;
  /** Persists pending records (a no-op in memory). */
  flush(): void;
}

/** Whether a recorded stat still describes the file: every field equal. */
export function sameStat(a: StatKey, b: StatKey): boolean {
  return (
    a.mtimeNsec === b.mtimeNsec &&
    a.ctimeNsec === b.ctimeNsec &&
    a.mtimeSec === b.mtimeSec &&
    a.ctimeSec === b.ctimeSec &&
    a.size === b.size &&
    a.inoLow === b.inoLow &&
    a.inoHigh === b.inoHigh &&
    a.mode === b.mode
  );
}

/** The stat fields as a plain object: a walk's stat is a view onto its directory's whole number table, which a record must not keep alive. */
export function copyStat(st: StatKey): StatKey {
  const { size, mode, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec, inoHigh, inoLow } = st;
  return { size, mode, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec, inoHigh, inoLow };
}

/** A StatCache that lives as long as the process: for one build, tests and benchmarks. */
export class MemoryStatCache implements StatCache {
  private readonly records = new Map<string, { st: StatKey; digest: string }>();
  private readonly dirs = new Map<string, { fingerprint: string; digest: string }>();

  lookup(path: string, st: StatKey): string | undefined {
    const rec = this.records.get(path);
    return rec !== undefined && sameStat(rec.st, st) ? rec.digest : undefined;
  }

  record(path: string, st: StatKey, digest: string): void {
    this.records.set(path, { st: copyStat(st), digest });
  }

  lookupDir(path: string, fingerprint: string): string | undefined {
    const rec = this.dirs.get(path);
    return rec?.fingerprint === fingerprint ? rec.digest : undefined;
  }

  recordDir(path: string, fingerprint: string, digest: string): void {
    this.dirs.set(path, { fingerprint, digest });
  }

  flush(): void {}
}
