// The lstat fields the hasher, the copier and the stat cache use. Times are whole seconds
// plus nanoseconds and the inode is two 32-bit halves, all plain numbers: exact, yet a walk
// of 10,000 files allocates no BigInt. The bigint forms are made only when asked for
// (the copier's timestamps).

const NS_PER_SEC = 1_000_000_000n;

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

/** One entry's lstat; nanosecond times and the inode are exact. */
export class EntryStat {
  constructor(
    readonly mode: number,
    readonly uid: number,
    readonly gid: number,
    readonly size: number,
    readonly mtimeSec: number,
    readonly mtimeNsec: number,
    readonly ctimeSec: number,
    readonly ctimeNsec: number,
    readonly inoHigh: number,
    readonly inoLow: number,
  ) {}

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
  return new EntryStat(
    Number(st.mode),
    Number(st.uid),
    Number(st.gid),
    Number(st.size),
    mtimeSec,
    mtimeNsec,
    ctimeSec,
    ctimeNsec,
    Number(ino >> 32n),
    Number(ino & 0xffffffffn),
  );
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
