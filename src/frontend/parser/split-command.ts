import { goTrimSpace, isGoSpace, WHITESPACE_RUN } from './chars.js';

export interface SplitCommand {
  keyword: string;
  flags: string[];
  rest: string;
}

/** Splits a logical line into keyword, leading `--flags`, and the rest (BuildKit's splitCommand). */
export function splitCommand(line: string): SplitCommand {
  const trimmed = goTrimSpace(line);
  const match = WHITESPACE_RUN.exec(trimmed);
  if (!match) return { keyword: trimmed, flags: [], rest: '' };
  const keyword = trimmed.slice(0, match.index);
  const { rest, flags } = extractFlags(trimmed.slice(match.index + match[0].length));
  return { keyword, flags, rest: goTrimSpace(rest) };
}

type Phase = 'spaces' | 'word' | 'quote';

/**
 * Reads leading words that start with `--`; quotes group and backslashes escape inside
 * them. A bare `--` ends the flags and is not kept.
 */
function extractFlags(line: string): { rest: string; flags: string[] } {
  const flags: string[] = [];
  let phase: Phase = 'spaces';
  let word = '';
  let quote = '';
  let blankOk = false;
  for (let pos = 0; pos <= line.length; pos++) {
    const ch = line[pos] ?? '';
    const atEnd = pos === line.length;
    if (phase === 'spaces') {
      if (atEnd) break;
      if (isGoSpace(ch)) continue;
      if (ch !== '-' || line[pos + 1] !== '-') return { rest: line.slice(pos), flags };
      phase = 'word';
    }
    if (atEnd) {
      if (word !== '--' && (blankOk || word.length > 0)) flags.push(word);
      break;
    }
    if (phase === 'word') {
      if (isGoSpace(ch)) {
        phase = 'spaces';
        if (word === '--') return { rest: line.slice(pos), flags };
        if (blankOk || word.length > 0) flags.push(word);
        word = '';
        blankOk = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
        phase = 'quote';
        continue;
      }
      if (ch === '\\') {
        if (pos + 1 === line.length) continue;
        pos++;
      }
      word += line[pos];
      continue;
    }
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === '\\') {
      if (pos + 1 === line.length) {
        phase = 'word';
        continue;
      }
      pos++;
    }
    word += line[pos];
  }
  return { rest: '', flags };
}
