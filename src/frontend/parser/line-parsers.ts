// Per-instruction argument splitting, as BuildKit's parser does it before any typing:
// the result decides how the dump shows arguments and what the instruction layer gets.
import { isGoSpace, goTrimLeft, WHITESPACE_RUN } from './chars.js';
import type { EscapeToken } from './directives.js';
import { InstructionProblem } from '../errors.js';

export interface LineArgs {
  args: string[];
  json: boolean;
}

export type LineParser = (rest: string, escape: EscapeToken) => LineArgs;

const NONE: LineArgs = { args: [], json: false };

/**
 * Splits on whitespace keeping quotes and escapes in the words (they are removed later by
 * expansion); an escape token at the very end is dropped.
 */
export function parseWords(rest: string, escape: EscapeToken): string[] {
  const chars = [...rest];
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let quote = '';
  let blankOk = false;
  let word = '';
  for (let pos = 0; pos <= chars.length; pos++) {
    const atEnd = pos === chars.length;
    let ch = chars[pos] ?? '';
    if (phase === 'spaces') {
      if (atEnd) break;
      if (isGoSpace(ch)) continue;
      phase = 'word';
    }
    if (atEnd) {
      if (blankOk || word.length > 0) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isGoSpace(ch)) {
        phase = 'spaces';
        if (blankOk || word.length > 0) words.push(word);
        word = '';
        blankOk = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
        phase = 'quote';
      }
      if (ch === escape) {
        if (pos + 1 === chars.length) continue;
        word += ch;
        pos++;
        ch = chars[pos] ?? '';
      }
      word += ch;
      continue;
    }
    if (ch === quote) phase = 'word';
    // Inside single quotes nothing can be escaped.
    if (ch === escape && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      pos++;
      word += ch;
      ch = chars[pos] ?? '';
    }
    word += ch;
  }
  return words;
}

/** ENV/LABEL: `k=v …` gives `k v =` triples; the legacy `k v` form gives `k v ""`. */
function parseNameVal(keyword: string): LineParser {
  return (rest, escape) => {
    const words = parseWords(rest, escape);
    if (words.length === 0) return NONE;
    if (!(words[0] ?? '').includes('=')) {
      const match = WHITESPACE_RUN.exec(rest);
      if (!match) {
        throw new InstructionProblem(`${keyword} must have two arguments`, `write it as ${keyword} name=value`);
      }
      return { args: [rest.slice(0, match.index), rest.slice(match.index + match[0].length), ''], json: false };
    }
    const args: string[] = [];
    for (const word of words) {
      const eq = word.indexOf('=');
      if (eq < 0) {
        throw new InstructionProblem(
          `syntax error - can't find = in ${JSON.stringify(word)}. Must be of the form: name=value`,
          `give every ${keyword} entry a value, e.g. ${word}=value`,
        );
      }
      args.push(word.slice(0, eq), word.slice(eq + 1), '=');
    }
    return { args, json: false };
  };
}

const parseNameOrNameVal: LineParser = (rest, escape) => ({ args: parseWords(rest, escape), json: false });

const parseWhitespaceDelimited: LineParser = (rest) => (rest === '' ? NONE : { args: rest.split(new RegExp(WHITESPACE_RUN.source, 'g')), json: false });

const parseString: LineParser = (rest) => (rest === '' ? NONE : { args: [rest], json: false });

/** A JSON array of strings, or undefined when the text is not JSON (shell form then). */
function parseJson(rest: string): LineArgs | undefined {
  const text = goTrimLeft(rest);
  if (!text.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (!value.every((v): v is string => typeof v === 'string')) {
    throw new InstructionProblem('when using JSON array syntax, arrays must be comprised of strings only', 'quote every element, e.g. ["echo", "hi"]');
  }
  return { args: value, json: true };
}

const parseMaybeJson: LineParser = (rest) => (rest === '' ? NONE : (parseJson(rest) ?? { args: [rest], json: false }));

const parseMaybeJsonToList: LineParser = (rest, escape) => parseJson(rest) ?? parseWhitespaceDelimited(rest, escape);

/** HEALTHCHECK: the type word, then the command like CMD's. */
const parseHealthConfig: LineParser = (rest, escape) => {
  let sep = 0;
  while (sep < rest.length && !isGoSpace(rest[sep] ?? '')) sep++;
  let next = sep;
  while (next < rest.length && isGoSpace(rest[next] ?? '')) next++;
  if (sep === 0) return NONE;
  const cmd = parseMaybeJson(rest.slice(next), escape);
  return { args: [rest.slice(0, sep), ...cmd.args], json: cmd.json };
};

/** Argument splitting per lowercase keyword; ONBUILD is handled by the parser itself. */
export const LINE_PARSERS: Record<string, LineParser> = {
  add: parseMaybeJsonToList,
  arg: parseNameOrNameVal,
  cmd: parseMaybeJson,
  copy: parseMaybeJsonToList,
  entrypoint: parseMaybeJson,
  env: parseNameVal('ENV'),
  expose: parseWhitespaceDelimited,
  from: parseWhitespaceDelimited,
  healthcheck: parseHealthConfig,
  label: parseNameVal('LABEL'),
  maintainer: parseString,
  run: parseMaybeJson,
  shell: parseMaybeJson,
  stopsignal: parseString,
  user: parseString,
  volume: parseMaybeJsonToList,
  workdir: parseString,
};
