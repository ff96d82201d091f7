// PAX extended header records: `<len> <key>=<value>\n`, where len counts the bytes of the
// whole record, its own digits included. Values are byte strings: xattr values go in raw,
// so a binary `security.capability` survives byte for byte.
import { TarFormatError, type TarTime } from './types.js';

export type PaxRecords = Map<string, Buffer>;

export function encodePaxRecords(records: PaxRecords): Buffer {
  const keys = [...records.keys()].sort();
  const lengths: number[] = [];
  let total = 0;
  for (const key of keys) {
    const value = records.get(key)!;
    if (key.includes('=') || key.includes('\n')) throw new TarFormatError(`pax key ${JSON.stringify(key)} cannot be encoded`);
    const body = Buffer.byteLength(key) + value.length + 3; // ' ', '=', '\n'
    // The length prefix counts its own digits, which can push it to one more digit.
    let len = body + String(body).length;
    if (String(len).length !== String(body).length) len = body + String(len).length;
    lengths.push(len);
    total += len;
  }
  // One buffer written in place: a header per layer entry must not cost a Buffer per piece.
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  keys.forEach((key, i) => {
    const value = records.get(key)!;
    at += out.write(`${lengths[i]!} ${key}=`, at, 'utf8');
    at += value.copy(out, at);
    out[at++] = 0x0a;
  });
  return out;
}

export function decodePaxRecords(data: Buffer): PaxRecords {
  const records: PaxRecords = new Map();
  let pos = 0;
  while (pos < data.length) {
    // Some writers pad the data with NULs; nothing after them is a record.
    if (data[pos] === 0) break;
    const space = data.indexOf(0x20, pos);
    const len = space > pos ? Number(data.toString('latin1', pos, space)) : NaN;
    if (!Number.isSafeInteger(len) || len <= 0 || pos + len > data.length || data[pos + len - 1] !== 0x0a) {
      throw new TarFormatError(`malformed pax record at byte ${pos}`);
    }
    const eq = data.indexOf(0x3d, space + 1);
    if (eq < 0 || eq >= pos + len) throw new TarFormatError(`pax record at byte ${pos} has no '='`);
    records.set(data.toString('utf8', space + 1, eq), Buffer.from(data.subarray(eq + 1, pos + len - 1)));
    pos += len;
  }
  return records;
}

/** `-1.5` for sec -2 + nsec 500000000: PAX times are signed decimals of seconds. */
export function formatPaxTime(t: TarTime): string {
  // Whole seconds and nanoseconds print as they are when both are non-negative (every time
  // after 1970); the general case goes through BigInt.
  if (t.sec >= 0) {
    return t.nsec === 0 ? String(t.sec) : `${t.sec}.${String(t.nsec).padStart(9, '0').replace(/0+$/, '')}`;
  }
  const total = BigInt(t.sec) * 1_000_000_000n + BigInt(t.nsec);
  const abs = total < 0n ? -total : total;
  const whole = abs / 1_000_000_000n;
  const frac = abs % 1_000_000_000n;
  const fraction = frac === 0n ? '' : `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${total < 0n ? '-' : ''}${whole}${fraction}`;
}

export function parsePaxTime(text: string): TarTime {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!m) throw new TarFormatError(`bad pax time ${JSON.stringify(text)}`);
  // Digits past nanoseconds are dropped: no filesystem here keeps them.
  const frac = BigInt((m[3] ?? '').slice(0, 9).padEnd(9, '0'));
  let total = BigInt(m[2]!) * 1_000_000_000n + frac;
  if (m[1] === '-') total = -total;
  let sec = total / 1_000_000_000n;
  let nsec = total % 1_000_000_000n;
  if (nsec < 0n) {
    sec -= 1n;
    nsec += 1_000_000_000n;
  }
  return { sec: toSafeNumber(sec, 'pax time'), nsec: Number(nsec) };
}

export function toSafeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new TarFormatError(`${what} ${value} is out of range`);
  }
  return Number(value);
}
