// The lstat fields the hasher, the copier and the stat cache use. Times are whole seconds
// plus nanoseconds and the inode is two 32-bit halves, all plain numbers: exact, yet a walk
// of 10,000 files allocates no BigInt. The bigint forms are made only when asked for
// (the copier's timestamps).

const NS_PER_SEC = 1_000_000_000n;

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

/** Numbers per entry in a stat table, in this order (native scanDir's layout). */
export const STAT_FIELDS = 10;

/**
 * One entry's lstat; nanosecond times and the inode are exact. A view of one row of a
 * table of numbers (a whole directory's, from the native scan): a walk makes one small
 * object per entry, and a no-op build reads none of its fields.
 */
export class EntryStat {
  constructor(
    private readonly table: Float64Array,
    private readonly at: number,
  ) {}

  get mode(): number {
    return this.table[this.at]!;
  }
  get uid(): number {
    return this.table[this.at + 1]!;
  }
  get gid(): number {
    return this.table[this.at + 2]!;
  }
  get size(): number {
    return this.table[this.at + 3]!;
  }
  get mtimeSec(): number {
    return this.table[this.at + 4]!;
  }
  get mtimeNsec(): number {
    return this.table[this.at + 5]!;
  }
  get ctimeSec(): number {
    return this.table[this.at + 6]!;
  }
  get ctimeNsec(): number {
    return this.table[this.at + 7]!;
  }
  get inoHigh(): number {
    return this.table[this.at + 8]!;
  }
  get inoLow(): number {
    return this.table[this.at + 9]!;
  }

  /** Modification time in nanoseconds since the epoch. */
  get mtimeNs(): bigint {
    return BigInt(this.mtimeSec) * NS_PER_SEC + BigInt(this.mtimeNsec);
  }

  /** Status change time in nanoseconds since the epoch. */
  get ctimeNs(): bigint {
    return BigInt(this.ctimeSec) * NS_PER_SEC + BigInt(this.ctimeNsec);
  }

  get ino(): bigint {
    return (BigInt(this.inoHigh) << 32n) | BigInt(this.inoLow);
  }
}

/** The stat fields as Node's bigint lstat (or a literal) gives them. */
export interface BigIntStatFields {
  mode: number | bigint;
  uid: number | bigint;
  gid: number | bigint;
  size: number | bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: number | bigint;
}

export function toEntryStat(st: BigIntStatFields): EntryStat {
  const [mtimeSec, mtimeNsec] = secAndNsec(st.mtimeNs);
  const [ctimeSec, ctimeNsec] = secAndNsec(st.ctimeNs);
  const ino = BigInt(st.ino);
  const row = [Number(st.mode), Number(st.uid), Number(st.gid), Number(st.size), mtimeSec, mtimeNsec, ctimeSec, ctimeNsec];
  return new EntryStat(Float64Array.of(...row, Number(ino >> 32n), Number(ino & 0xffffffffn)), 0);
}

/** Whole seconds (rounded down, as in a timespec) and the nanoseconds past them. */
function secAndNsec(ns: bigint): [number, number] {
  let nsec = ns % NS_PER_SEC;
  if (nsec < 0n) nsec += NS_PER_SEC;
  return [Number((ns - nsec) / NS_PER_SEC), Number(nsec)];
}

const S_IFMT = 0o170000;

/** The entry type of an lstat mode. */
export function typeOfMode(mode: number): EntryType {
  switch (mode & S_IFMT) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'dir';
    case 0o120000:
      return 'symlink';
    default:
      return 'other';
  }
}
