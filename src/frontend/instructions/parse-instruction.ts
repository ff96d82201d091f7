// Parse tree → typed instructions: one parseX per keyword, dispatched from a table; the
// node's range is attached to any error here, once.
import type { Node, ParsedDockerfile } from '../parser/ast.js';
import { DockerfileError, InstructionProblem } from '../errors.js';
import { ShellExpansionError } from '../shell/expand.js';
import { parseCmd, parseEntrypoint, parseHealthcheck, parseRun, parseShell } from './parse-commands.js';
import { parseArg, parseEnv, parseExpose, parseFrom, parseLabel, parseMaintainer, parseStopSignal, parseUser } from './parse-config.js';
import { parseAdd, parseCopy, parseVolume, parseWorkdir } from './parse-files.js';
import { baseOf, flagsOf, type ParseRequest } from './request.js';
import { didYouMean } from './suggest.js';
import type { Instruction, InstructionKind, OnbuildInstruction } from './types.js';

type Parser = (req: ParseRequest) => Instruction;

const PARSERS: Record<InstructionKind, Parser> = {
  from: parseFrom,
  run: parseRun,
  cmd: parseCmd,
  entrypoint: parseEntrypoint,
  shell: parseShell,
  copy: parseCopy,
  add: parseAdd,
  env: parseEnv,
  label: parseLabel,
  arg: parseArg,
  expose: parseExpose,
  volume: parseVolume,
  user: parseUser,
  workdir: parseWorkdir,
  stopsignal: parseStopSignal,
  healthcheck: parseHealthcheck,
  onbuild: parseOnbuild,
  maintainer: parseMaintainer,
};

const KEYWORDS = Object.keys(PARSERS).map((k) => k.toUpperCase());

function isKind(name: string): name is InstructionKind {
  return Object.hasOwn(PARSERS, name);
}

/** Types every node of a parsed Dockerfile, in order. */
export function toInstructions(parsed: ParsedDockerfile): Instruction[] {
  return parsed.nodes.map((node) => parseInstruction(node, parsed.name));
}

/** Types one node; errors become DockerfileErrors at the node's range. */
export function parseInstruction(node: Node, file: string): Instruction {
  try {
    return dispatch({ node, heredocs: node.heredocs });
  } catch (err) {
    if (err instanceof InstructionProblem || err instanceof ShellExpansionError) {
      const code = err instanceof InstructionProblem ? err.code : 'dockerfile-expansion';
      const hint = err instanceof InstructionProblem ? err.hint : undefined;
      throw new DockerfileError(err.message, { code, file, range: node.range, hint, cause: err });
    }
    throw err;
  }
}

function dispatch(req: ParseRequest): Instruction {
  const name = req.node.name;
  if (!isKind(name)) {
    throw new InstructionProblem(`unknown instruction: ${req.node.keyword}${didYouMean(name, KEYWORDS)}`, `instructions are ${KEYWORDS.join(', ')}`);
  }
  return PARSERS[name](req);
}

/** `ONBUILD <INSTRUCTION>`: the trigger is typed now and stored as text in the image. */
function parseOnbuild(req: ParseRequest): OnbuildInstruction {
  const child = req.node.child;
  if (!child) throw new InstructionProblem('ONBUILD requires at least one argument', 'write it as ONBUILD <INSTRUCTION>');
  flagsOf(req);
  const triggerKeyword = child.keyword.toUpperCase();
  if (triggerKeyword === 'ONBUILD') {
    throw new InstructionProblem("chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", 'use a single ONBUILD');
  }
  if (triggerKeyword === 'MAINTAINER' || triggerKeyword === 'FROM') {
    throw new InstructionProblem(`${triggerKeyword} isn't allowed as an ONBUILD trigger`, `move ${triggerKeyword} out of ONBUILD`);
  }
  let expression = req.node.original.replace(/^\s*ONBUILD\s*/i, '');
  for (const h of req.heredocs) expression += `\n${h.content}${h.name}`;
  const trigger = dispatch({ node: { ...child, range: req.node.range }, heredocs: req.heredocs });
  return { kind: 'onbuild', ...baseOf(req), expression, trigger };
}
