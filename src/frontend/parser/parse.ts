// Dockerfile text → parse tree, following BuildKit's parser (frontend/dockerfile/parser)
// line for line: directives, continuation lines, comments, heredoc bodies.
import type { Heredoc, Node, ParsedDockerfile, ParseWarning } from './ast.js';
import { goTrimLeft } from './chars.js';
import { DirectiveScanner, type EscapeToken } from './directives.js';
import { DockerfileError, InstructionProblem } from '../errors.js';
import { ShellExpansionError } from '../shell/expand.js';
import { heredocsFromLine } from './heredoc.js';
import { LINE_PARSERS } from './line-parsers.js';
import { lineRange, sourceLines, type SourceRange } from '../source.js';
import { splitCommand } from './split-command.js';

export interface ParseOptions {
  /** Name shown in errors; default `Dockerfile`. */
  name?: string;
}

/** bufio.Scanner's limit in BuildKit: a longer line is an error. */
const MAX_LINE_BYTES = 65535;
const HEREDOC_KEYWORDS = new Set(['add', 'copy', 'run']);

/** Parses Dockerfile text; throws DockerfileError with the failing lines' range. */
export function parseDockerfile(text: string, opts: ParseOptions = {}): ParsedDockerfile {
  const name = opts.name ?? 'Dockerfile';
  const source = text.startsWith('\ufeff') ? text.slice(1) : text;
  return new Parser(name, scanLines(source), sourceLines(source)).run();
}

/** Lines with their line endings kept, like BuildKit's scanLines. */
function scanLines(text: string): string[] {
  const out = text.split(/(?<=\n)/);
  return out.length === 1 && out[0] === '' ? [] : out;
}

function trimNewline(line: string): string {
  return line.replace(/[\r\n]+$/, '');
}

function isComment(line: string): boolean {
  return goTrimLeft(line).startsWith('#');
}

class Parser {
  private readonly directives = new DirectiveScanner();
  private continuation = continuationRegex('\\');
  private next = 0;
  private readonly nodes: Node[] = [];
  private readonly warnings: ParseWarning[] = [];

  constructor(
    private readonly name: string,
    private readonly raw: string[],
    private readonly lines: string[],
  ) {}

  run(): ParsedDockerfile {
    let comments: string[] = [];
    while (this.next < this.raw.length) {
      const startLine = this.next + 1;
      const first = this.read();
      if (isComment(first)) {
        const comment = goTrimLeft(trimNewline(first)).slice(1).trim();
        comments = comment === '' ? [] : [...comments, comment];
      }
      const processed = this.process(first, true, startLine);
      if (processed.directive) comments = comments.slice(0, -1);
      let [line, done] = this.trimContinuation(processed.text);
      if (done && line === '') continue;
      let emptyContinuation = false;
      while (!done && this.next < this.raw.length) {
        const lineNo = this.next + 1;
        const rawLine = this.read();
        const text = this.process(rawLine, false, lineNo).text;
        if (isComment(rawLine)) continue;
        if (goTrimLeft(text) === '') {
          emptyContinuation = true;
          continue;
        }
        const [part, end] = this.trimContinuation(text);
        line += part;
        done = end;
      }
      const node = this.nodeAt(line, comments, startLine);
      if (emptyContinuation) {
        this.warnings.push({
          message: `empty continuation line found in: ${line}`,
          range: lineRange(this.lines, this.next, this.next),
        });
      }
      if (canContainHeredoc(node) && line.includes('<<')) node.heredocs = this.readHeredocs(line, startLine);
      node.range = lineRange(this.lines, startLine, this.next);
      this.nodes.push(node);
      comments = [];
    }
    if (this.nodes.length === 0) {
      throw new DockerfileError('file with no instructions', {
        code: 'dockerfile-syntax',
        file: this.name,
        hint: 'add a FROM instruction',
      });
    }
    return {
      name: this.name,
      lines: this.lines,
      directives: this.directives.directives,
      nodes: this.nodes,
      warnings: this.warnings,
    };
  }

  private read(): string {
    const line = this.raw[this.next] ?? '';
    this.next++;
    if (Buffer.byteLength(line.replace(/\n$/, '')) > MAX_LINE_BYTES) {
      throw this.error(`dockerfile line greater than max allowed size of ${MAX_LINE_BYTES}`, this.next, this.next, {
        hint: 'split the line with a continuation escape or move the data into a file',
      });
    }
    return line;
  }

  /** BuildKit's processLine: trims, feeds the directive scanner, blanks out comments. */
  private process(rawLine: string, stripLeft: boolean, lineNo: number): { text: string; directive: boolean } {
    let token = trimNewline(rawLine);
    if (stripLeft) token = goTrimLeft(token);
    let directive: boolean;
    try {
      directive = this.directives.scan(token);
    } catch (err) {
      throw this.wrap(err, lineNo, lineNo);
    }
    if (directive) this.continuation = continuationRegex(this.directives.directives.escape);
    if (isComment(token)) return { text: '', directive };
    // No argument, path or command can carry a NUL byte: refuse it here, at its line,
    // rather than when a step is about to run.
    if (token.includes('\0')) {
      throw this.error('the line contains a NUL byte', lineNo, lineNo, { hint: 'remove the NUL byte (\\0) from the line' });
    }
    return { text: token, directive };
  }

  private trimContinuation(line: string): [string, boolean] {
    if (!this.continuation.test(line)) return [line, true];
    return [line.replace(this.continuation, '$1'), false];
  }

  private nodeAt(line: string, comments: string[], startLine: number): Node {
    try {
      return newNode(line, this.directives.directives.escape, comments);
    } catch (err) {
      throw this.wrap(err, startLine, this.next);
    }
  }

  /** Reads each heredoc body that follows the instruction, in order. */
  private readHeredocs(line: string, startLine: number): Heredoc[] {
    let openers;
    try {
      openers = heredocsFromLine(line);
    } catch (err) {
      throw this.wrap(err, startLine, this.next);
    }
    return openers.map((opener) => {
      let content = '';
      while (this.next < this.raw.length) {
        const body = this.read();
        let candidate = trimNewline(body);
        if (opener.chomp) candidate = candidate.replace(/^\t+/, '');
        if (candidate === opener.name) return { ...opener, content };
        content += body;
      }
      throw this.error('unterminated heredoc', startLine, this.next, {
        hint: `end the heredoc with a line containing only ${opener.name}`,
      });
    });
  }

  private wrap(err: unknown, startLine: number, endLine: number): unknown {
    if (err instanceof InstructionProblem) {
      return this.error(err.message, startLine, endLine, { hint: err.hint, code: err.code, cause: err });
    }
    if (err instanceof ShellExpansionError) {
      return this.error(err.message, startLine, endLine, { code: 'dockerfile-expansion', cause: err });
    }
    return err;
  }

  private error(
    message: string,
    startLine: number,
    endLine: number,
    extra: { hint?: string | undefined; code?: DockerfileError['code']; cause?: unknown },
  ): DockerfileError {
    const range: SourceRange = lineRange(this.lines, Math.max(startLine, 1), Math.max(endLine, startLine, 1));
    return new DockerfileError(message, {
      code: extra.code ?? 'dockerfile-syntax',
      file: this.name,
      range,
      hint: extra.hint,
      cause: extra.cause,
    });
  }
}

/**
 * The escape token as last non-blank character continues the line, unless it is itself
 * escaped; a line holding only the token continues too.
 */
function continuationRegex(escape: EscapeToken): RegExp {
  const e = escape === '\\' ? '\\\\' : '`';
  return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

/** BuildKit's newNodeFromLine: keyword, flags, then the keyword's argument parser. */
function newNode(line: string, escape: EscapeToken, comments: string[]): Node {
  const { keyword, flags, rest } = splitCommand(line);
  const name = keyword.toLowerCase();
  const node: Node = {
    keyword,
    name,
    flags,
    args: [],
    json: false,
    heredocs: [],
    original: line,
    comments,
    range: { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } },
  };
  if (name === 'onbuild') {
    if (rest !== '') node.child = newNode(rest, escape, []);
    return node;
  }
  // Unknown keywords keep no arguments; the instruction layer reports them.
  const parser = Object.hasOwn(LINE_PARSERS, name) ? LINE_PARSERS[name] : undefined;
  if (parser) Object.assign(node, parser(rest, escape));
  return node;
}

function canContainHeredoc(node: Node): boolean {
  const target = node.name === 'onbuild' && node.child ? node.child : node;
  return HEREDOC_KEYWORDS.has(target.name) && !target.json;
}
