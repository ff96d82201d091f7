export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Splits text into complete lines and the unterminated rest (kept for the next chunk). */
export function splitLines(text: string): { lines: string[]; rest: string } {
  const parts = text.replace(/\r\n/g, '\n').split('\n');
  const rest = parts.pop() ?? '';
  return { lines: parts, rest };
}
