// Heredoc words (`<<EOF`, `<<-'EOF'`, `3<<EOF`) with BuildKit's exact semantics
// (frontend/dockerfile/parser: ParseHeredoc, heredocsFromLine, ChompHeredocContent).
import type { Heredoc } from './ast.js';
import { processWords, type Env, type LexOptions } from '../shell/expand.js';

/** RE2's `\s` is `[\t\n\f\r ]`, narrower than JavaScript's. */
const HEREDOC_WORD = /^([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)$/;
const NO_ENV: Env = new Map();
const PLAIN: LexOptions = { escapeToken: '\\', skipUnsetEnv: true };
const RAW_QUOTES: LexOptions = { ...PLAIN, rawQuotes: true };
const RAW_LINE: LexOptions = { ...PLAIN, rawQuotes: true, rawEscapes: true };

/**
 * Reads one word as a heredoc opener; null when it is not one. Throws ShellExpansionError
 * when the terminator has an unterminated quote (`<<'EOF`).
 */
export function parseHeredoc(src: string): Omit<Heredoc, 'content'> | null {
  const match = HEREDOC_WORD.exec(src);
  if (!match) return null;
  const rest = match[3] ?? '';
  if (rest === '') return null;
  const words = processWords(rest, NO_ENV, PLAIN).words;
  if (words.length !== 1) return null;
  const rawWords = processWords(rest, NO_ENV, RAW_QUOTES).words;
  const name = words[0] ?? '';
  // A quote that the plain pass removed means part of the word was quoted: no expansion.
  const expand = countQuotes(name) === countQuotes(rawWords[0] ?? '');
  return {
    name,
    fileDescriptor: Number.parseInt(match[1] || '0', 10),
    expand,
    chomp: match[2] === '-',
  };
}

function countQuotes(s: string): number {
  return (s.match(/['"]/g) ?? []).length;
}

/**
 * The heredocs a logical line opens, in order. The line is lexed with quotes and escapes
 * kept, so `'<<EOF'` is not a heredoc; a line the lexer rejects opens none.
 */
export function heredocsFromLine(line: string): Omit<Heredoc, 'content'>[] {
  let words: string[];
  try {
    words = processWords(line, NO_ENV, RAW_LINE).words;
  } catch {
    return [];
  }
  const docs: Omit<Heredoc, 'content'>[] = [];
  for (const word of joinSpacedOpeners(words)) {
    const doc = parseHeredoc(word);
    if (doc) docs.push(doc);
  }
  return docs;
}

/**
 * BuildKit's line lexer keeps white space right after `<<` in the same word, so
 * `<<  EOF` and `<< -EOF` are openers (named `EOF` and `-EOF`) while `<<- EOF` is not.
 */
function joinSpacedOpeners(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    const next = words[i + 1];
    if (/^[0-9]*<<$/.test(word) && next !== undefined) {
      out.push(`${word} ${next}`);
      i++;
    } else {
      out.push(word);
    }
  }
  return out;
}

/** Strips leading tabs from every line of a `<<-` body. */
export function chompHeredocContent(src: string): string {
  return src
    .split('\n')
    .map((line) => line.replace(/^\t+/, ''))
    .join('\n');
}
