// Word splitting for `processWords`, as BuildKit's lexer does it while it expands: unquoted
// literal text and variable values split on white space; quoted text and escaped characters
// never do. A word is only emitted when it has characters, so a quoted empty string (`""`)
// makes no word of its own.

const SPACE = /\p{White_Space}/u; // Go's unicode.IsSpace

export class WordSplitter {
  private readonly words: string[] = [];
  private current = '';

  /** Unquoted text and variable values: white space ends the current word. */
  addSplittable(text: string): void {
    // One split instead of a test per character: values may be a megabyte long.
    const pieces = text.split(SPACE);
    this.current += pieces[0];
    for (let i = 1; i < pieces.length; i++) {
      this.endWord();
      this.current += pieces[i];
    }
  }

  /** Quoted text and escaped characters: kept whole, even white space. */
  addLiteral(text: string): void {
    this.current += text;
  }

  finish(): string[] {
    this.endWord();
    return this.words;
  }

  private endWord(): void {
    if (this.current === '') return;
    this.words.push(this.current);
    this.current = '';
  }
}
