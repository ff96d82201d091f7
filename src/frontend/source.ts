/** A 1-based position in a Dockerfile; `column` counts characters from 1. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** Where a node came from: first line/column to last line/column (inclusive). */
export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

/** A range covering whole lines `startLine..endLine` of `lines` (1-based). */
export function lineRange(lines: readonly string[], startLine: number, endLine: number): SourceRange {
  const last = lines[endLine - 1] ?? '';
  const first = lines[startLine - 1] ?? '';
  const indent = first.length - first.trimStart().length;
  return {
    start: { line: startLine, column: indent + 1 },
    end: { line: endLine, column: Math.max(1, last.replace(/\r$/, '').length) },
  };
}

/** A Dockerfile's lines as error excerpts number them: BOM and line endings removed. */
export function sourceLines(text: string): string[] {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  const lines = body.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
