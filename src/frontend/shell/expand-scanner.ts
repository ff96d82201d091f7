// The character reader behind the shell-word lexer and its glob patterns. BuildKit reads
// both with Go's text/scanner, which works in code points and drops a byte-order mark at
// the very start of its input; this does the same.

/** Reads text one code point at a time; `undefined` is the end. */
export class Scanner {
  private readonly chars: string[];
  private pos = 0;

  constructor(text: string) {
    this.chars = Array.from(text.startsWith('\uFEFF') ? text.slice(1) : text);
  }

  peek(): string | undefined {
    return this.chars[this.pos];
  }

  next(): string | undefined {
    return this.chars[this.pos++];
  }

  atEnd(): boolean {
    return this.pos >= this.chars.length;
  }
}
