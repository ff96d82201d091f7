import type { Heredoc, Node } from '../parser/ast.js';
import { goTrimSpace } from '../parser/chars.js';
import { InstructionProblem } from '../errors.js';
import { parseHeredoc, chompHeredocContent } from '../parser/heredoc.js';
import { parseFlags, type FlagSpec, type FlagValues } from './flags.js';
import type { CommandLine, InlineFile, InstructionBase } from './types.js';

/** What a `parseX` function gets: the node plus the heredocs it owns. */
export interface ParseRequest {
  node: Node;
  /** Heredocs belong to the outer node when ONBUILD wraps the instruction. */
  heredocs: Heredoc[];
}

export function baseOf(req: ParseRequest): InstructionBase {
  const { node } = req;
  return { text: goTrimSpace(node.original), keyword: node.keyword, range: node.range, comments: node.comments };
}

export function flagsOf(req: ParseRequest, spec: FlagSpec = {}): FlagValues {
  return parseFlags(req.node.keyword.toUpperCase(), req.node.flags, spec);
}

/** Shell form becomes one string (words joined), exec form stays a list. */
export function commandLine(req: ParseRequest, args: string[]): CommandLine {
  return {
    args: req.node.json ? args : args.length ? [args.join(' ')] : [],
    prependShell: !req.node.json,
    files: req.heredocs.map((h) => ({ name: h.name, data: h.content, chomp: h.chomp, expand: h.expand })),
  };
}

export function exactlyOne(req: ParseRequest, keyword: string): string {
  const [only] = req.node.args;
  if (req.node.args.length !== 1 || only === undefined) {
    throw new InstructionProblem(`${keyword} requires exactly one argument`, `give ${keyword} a single value`);
  }
  return only;
}

export function atLeastOne(req: ParseRequest, keyword: string): string[] {
  if (req.node.args.length === 0) {
    throw new InstructionProblem(`${keyword} requires at least one argument`, `add a value after ${keyword}`);
  }
  return req.node.args;
}

/** Splits COPY/ADD arguments into sources, heredoc sources and the destination. */
export function sourcesAndDest(req: ParseRequest, keyword: string): { sources: string[]; heredocSources: InlineFile[]; dest: string } {
  const args = req.node.args;
  if (args.length < 2) {
    throw new InstructionProblem(
      `${keyword} requires at least two arguments, but only one was provided. Destination could not be determined`,
      `write it as ${keyword} <source>... <destination>`,
    );
  }
  const dest = args[args.length - 1] ?? '';
  if (!req.node.json && parseHeredoc(dest)) {
    throw new InstructionProblem(`${keyword} cannot accept a heredoc as a destination`, 'put the heredoc before the destination path');
  }
  const bodies = new Map(req.heredocs.map((h) => [h.name, h]));
  const sources: string[] = [];
  const heredocSources: InlineFile[] = [];
  for (const src of args.slice(0, -1)) {
    const opener = req.node.json ? null : parseHeredoc(src);
    if (!opener) {
      sources.push(src);
      continue;
    }
    const body = bodies.get(opener.name)?.content ?? '';
    heredocSources.push({
      name: opener.name,
      data: opener.chomp ? chompHeredocContent(body) : body,
      chomp: opener.chomp,
      expand: opener.expand,
    });
  }
  return { sources, heredocSources, dest };
}
