// The stat cache lets an unchanged file cost one lstat instead of a full read: a digest is
// reused while (size, mtime, ctime, inode, mode) are unchanged. ctime changes on any write
// or chmod/chown, so a matching tuple means the content and metadata are what was hashed.

/** The stat fields a cached digest is valid for. */
export interface StatKey {
  size: number;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: bigint;
  mode: number;
}

/** Digest cache keyed by path (relative to the context root). The store provides a SQLite one. */
export interface StatCache {
  /** The digest recorded for `path` if it was recorded with exactly this stat. */
  lookup(path: string, st: StatKey): string | undefined;
  record(path: string, st: StatKey, digest: string): void;
  /** Persists pending records (a no-op in memory). */
  flush(): void;
}

function sameStat(a: StatKey, b: StatKey): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino && a.mode === b.mode;
}

/** A StatCache that lives as long as the process: for one build, tests and benchmarks. */
export class MemoryStatCache implements StatCache {
  private readonly records = new Map<string, { st: StatKey; digest: string }>();

  lookup(path: string, st: StatKey): string | undefined {
    const rec = this.records.get(path);
    return rec !== undefined && sameStat(rec.st, st) ? rec.digest : undefined;
  }

  record(path: string, st: StatKey, digest: string): void {
    this.records.set(path, { st: { ...st }, digest });
  }

  flush(): void {}
}
