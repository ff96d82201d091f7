import { InstructionProblem } from '../errors.js';

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

// Go's int64 limit, 2^63 - 1 ns; as a double that is 2^63, and a total at or above it overflows.
const INT64_LIMIT_NS = 2 ** 63;

/** Go's time.ParseDuration (`1h30m`, `1.5s`, `300ms`, `0`), in nanoseconds. */
export function parseGoDuration(text: string): number {
  const bad = () => new InstructionProblem(`time: invalid duration "${text}"`, 'use a Go duration such as 30s, 1m30s or 500ms');
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw bad();
  let total = 0;
  const part = /^([0-9]*(?:\.[0-9]*)?)([^0-9.]+)/;
  while (s !== '') {
    const m = part.exec(s);
    const num = m?.[1] ?? '';
    const unit = m?.[2] ?? '';
    if (!m && /^[0-9.]+$/.test(s)) {
      throw new InstructionProblem(`time: missing unit in duration "${text}"`, 'add a unit: ns, us, ms, s, m or h');
    }
    if (!m || num === '' || num === '.') throw bad();
    const scale = Object.hasOwn(UNIT_NS, unit) ? UNIT_NS[unit] : undefined;
    if (scale === undefined) {
      throw new InstructionProblem(`time: unknown unit "${unit}" in duration "${text}"`, 'units are ns, us, ms, s, m and h');
    }
    total += Number(num) * scale;
    // Go's durations are int64 nanoseconds (about 292 years); beyond that it reports an overflow.
    if (total >= INT64_LIMIT_NS) throw new InstructionProblem(`time: invalid duration "${text}"`, 'durations go up to about 2562047h');
    s = s.slice(m[0].length);
  }
  return sign * Math.round(total);
}
