// Go's `path.Clean` and `path.Dir` for slash-separated paths: Docker's pattern matcher and
// COPY source handling are defined in terms of them, so edge cases ("", "a/..", "//x")
// must come out exactly as Go produces them.

/** Lexically cleans a slash path like Go's `path.Clean`: "" → ".", no trailing slash, no `.` or inner `..`. */
export function goClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** Go's `path.Dir`: everything before the last slash, cleaned. */
export function goDir(p: string): string {
  const i = p.lastIndexOf('/');
  return goClean(p.slice(0, i + 1));
}
