// Go `fmt` renderings that BuildKit writes into image history.
import { goQuote, goQuoteList } from '../parser/go-quote.js';
import type { HealthcheckInstruction } from '../instructions/types.js';

/** Go's time.Duration.String for a nanosecond count: `1m30s`, `500ms`, `0s`. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let n = Math.abs(ns);
  if (n < 1e9) {
    const [unit, scale] = n < 1e3 ? ['ns', 1] : n < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    return `${sign}${trimFraction(n / (scale as number))}${unit}`;
  }
  let out = '';
  const h = Math.floor(n / 3600e9);
  n -= h * 3600e9;
  const m = Math.floor(n / 60e9);
  n -= m * 60e9;
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  return `${sign}${out}${trimFraction(n / 1e9)}s`;
}

function trimFraction(x: number): string {
  return Number(x.toFixed(9)).toString();
}

/** `%q` of an int: a quoted character literal such as `'\x03'`. */
function goQuoteRune(n: number): string {
  const inner = goQuote(String.fromCodePoint(n)).slice(1, -1).replace(/^\\"$/, '"');
  return `'${inner === "'" ? "\\'" : inner}'`;
}

/** `fmt.Sprintf("HEALTHCHECK %q", &container.HealthConfig{…})`. */
export function healthcheckHistory(h: HealthcheckInstruction): string {
  const durations = [h.interval, h.timeout, h.startPeriod, h.startInterval].map((d) => goQuote(goDuration(d)));
  return `HEALTHCHECK &{${goQuoteList(h.test)} ${durations.join(' ')} ${goQuoteRune(h.retries)}}`;
}

/** `%v` of a []string: `[a b c]`. */
export function goList(list: readonly string[]): string {
  return `[${list.join(' ')}]`;
}
