import { InstructionProblem } from '../errors.js';
import { atLeastOne, baseOf, exactlyOne, flagsOf, type ParseRequest } from './request.js';
import type {
  ArgDeclaration,
  ArgInstruction,
  EnvInstruction,
  ExposeInstruction,
  FromInstruction,
  KeyValue,
  LabelInstruction,
  MaintainerInstruction,
  StopSignalInstruction,
  UserInstruction,
} from './types.js';

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

/** `FROM [--platform=…] <image> [AS <name>]` */
export function parseFrom(req: ParseRequest): FromInstruction {
  const args = req.node.args;
  let stageName: string | undefined;
  if (args.length === 3 && (args[1] ?? '').toLowerCase() === 'as') {
    stageName = (args[2] ?? '').toLowerCase();
    if (!STAGE_NAME.test(stageName)) {
      throw new InstructionProblem(
        `invalid name for build stage: ${JSON.stringify(args[2])}, name can't start with a number or contain symbols`,
        'use letters, digits, "-", "_" and ".", starting with a letter',
      );
    }
  } else if (args.length !== 1) {
    throw new InstructionProblem('FROM requires either one or three arguments', 'write it as FROM <image> [AS <name>]');
  }
  const platform = flagsOf(req, { platform: 'string' }).string('platform');
  return {
    kind: 'from',
    ...baseOf(req),
    image: args[0] ?? '',
    ...(stageName === undefined ? {} : { stageName }),
    ...(platform === undefined ? {} : { platform }),
  };
}

/** The parser gives `name value sep` triples; `sep` is `""` for the legacy `KEY name value` form. */
function keyValues(req: ParseRequest, keyword: string): KeyValue[] {
  const args = atLeastOne(req, keyword);
  if (args.length % 3 !== 0) throw new InstructionProblem(`bad input to ${keyword}, too many arguments`, `write it as ${keyword} name=value`);
  const pairs: KeyValue[] = [];
  for (let i = 0; i < args.length; i += 3) {
    const key = args[i] ?? '';
    if (key === '') throw new InstructionProblem(`${keyword} names can not be blank`, `give every ${keyword} entry a name`);
    pairs.push({ key, value: args[i + 1] ?? '', noDelimiter: args[i + 2] === '' });
  }
  return pairs;
}

/** `ENV key=value …` / `ENV key value` */
export function parseEnv(req: ParseRequest): EnvInstruction {
  flagsOf(req);
  return { kind: 'env', ...baseOf(req), pairs: keyValues(req, 'ENV') };
}

/** `LABEL key=value …` */
export function parseLabel(req: ParseRequest): LabelInstruction {
  flagsOf(req);
  return { kind: 'label', ...baseOf(req), pairs: keyValues(req, 'LABEL') };
}

/** `ARG name[=default] …` */
export function parseArg(req: ParseRequest): ArgInstruction {
  flagsOf(req);
  const args: ArgDeclaration[] = atLeastOne(req, 'ARG').map((word) => {
    const eq = word.indexOf('=');
    if (eq < 0) return { name: word };
    if (eq === 0) throw new InstructionProblem('ARG names can not be blank', 'write it as ARG name=value');
    return { name: word.slice(0, eq), value: word.slice(eq + 1) };
  });
  return { kind: 'arg', ...baseOf(req), args };
}

/** `EXPOSE <port>[/<proto>] …` (kept sorted, as BuildKit does) */
export function parseExpose(req: ParseRequest): ExposeInstruction {
  flagsOf(req);
  return { kind: 'expose', ...baseOf(req), ports: [...atLeastOne(req, 'EXPOSE')].sort() };
}

/** `USER <user>[:<group>]` */
export function parseUser(req: ParseRequest): UserInstruction {
  flagsOf(req);
  return { kind: 'user', ...baseOf(req), user: exactlyOne(req, 'USER') };
}

/** `STOPSIGNAL <signal>` */
export function parseStopSignal(req: ParseRequest): StopSignalInstruction {
  flagsOf(req);
  return { kind: 'stopsignal', ...baseOf(req), signal: exactlyOne(req, 'STOPSIGNAL') };
}

/** `MAINTAINER <name>` (deprecated: sets the image author) */
export function parseMaintainer(req: ParseRequest): MaintainerInstruction {
  flagsOf(req);
  return { kind: 'maintainer', ...baseOf(req), maintainer: exactlyOne(req, 'MAINTAINER') };
}
