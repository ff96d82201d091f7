/** Go's unicode.IsSpace. */
export function isGoSpace(ch: string): boolean {
  return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u.test(ch);
}

/** Go's strings.TrimSpace. */
export function goTrimSpace(s: string): string {
  return goTrimLeft(goTrimRight(s));
}

export function goTrimLeft(s: string): string {
  const chars = [...s];
  let i = 0;
  while (i < chars.length && isGoSpace(chars[i] ?? '')) i++;
  return chars.slice(i).join('');
}

function goTrimRight(s: string): string {
  const chars = [...s];
  let n = chars.length;
  while (n > 0 && isGoSpace(chars[n - 1] ?? '')) n--;
  return chars.slice(0, n).join('');
}

/** BuildKit's reWhitespace `[\t\v\f\r ]+`: splits FROM/EXPOSE words and the keyword. */
export const WHITESPACE_RUN = /[\t\v\f\r ]+/;
