import { NETWORK_MODES } from '../../network-mode.js';
import { InstructionProblem } from '../errors.js';
import { parseGoDuration } from './go-duration.js';
import { mountFields } from './mounts.js';
import { atLeastOne, baseOf, commandLine, flagsOf, type ParseRequest } from './request.js';
import type { CmdInstruction, EntrypointInstruction, HealthcheckInstruction, RunInstruction, SecurityMode, ShellInstruction } from './types.js';

const SECURITY: readonly SecurityMode[] = ['sandbox', 'insecure'];

/** `RUN [--mount=…] [--network=…] [--security=…] [--device=…] <cmd>` */
export function parseRun(req: ParseRequest): RunInstruction {
  const flags = flagsOf(req, { mount: 'strings', network: 'string', security: 'string', device: 'strings' });
  const mounts = flags.strings('mount');
  for (const m of mounts) mountFields(m);
  const network = oneOf('network', flags.string('network'), NETWORK_MODES);
  const security = oneOf('security', flags.string('security'), SECURITY);
  return {
    kind: 'run',
    ...baseOf(req),
    command: commandLine(req, req.node.args),
    mounts,
    ...(network ? { network } : {}),
    ...(security ? { security } : {}),
    devices: flags.strings('device'),
  };
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InstructionProblem(`unsupported ${flag} mode ${JSON.stringify(value)}`, `use --${flag}=${allowed.join('|')}`);
  }
  return value as T;
}

/** `CMD ["exe","arg"]` / `CMD command` */
export function parseCmd(req: ParseRequest): CmdInstruction {
  flagsOf(req);
  return { kind: 'cmd', ...baseOf(req), command: commandLine(req, req.node.args) };
}

/** `ENTRYPOINT ["exe","arg"]` / `ENTRYPOINT command` */
export function parseEntrypoint(req: ParseRequest): EntrypointInstruction {
  flagsOf(req);
  return { kind: 'entrypoint', ...baseOf(req), command: commandLine(req, req.node.args) };
}

/** `SHELL ["exe","-c"]`: JSON form only. */
export function parseShell(req: ParseRequest): ShellInstruction {
  flagsOf(req);
  const shell = atLeastOne(req, 'SHELL');
  if (!req.node.json) {
    throw new InstructionProblem('SHELL requires the arguments to be in JSON form', 'write it as SHELL ["/bin/sh", "-c"]');
  }
  return { kind: 'shell', ...baseOf(req), shell };
}

/** `HEALTHCHECK [--interval=… --timeout=… --start-period=… --start-interval=… --retries=N] CMD …` / `HEALTHCHECK NONE` */
export function parseHealthcheck(req: ParseRequest): HealthcheckInstruction {
  const [rawType, ...args] = atLeastOne(req, 'HEALTHCHECK');
  const type = (rawType ?? '').toUpperCase();
  const none = { interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };
  if (type === 'NONE') {
    if (args.length) throw new InstructionProblem('HEALTHCHECK NONE takes no arguments', 'remove what follows NONE');
    flagsOf(req);
    return { kind: 'healthcheck', ...baseOf(req), test: ['NONE'], ...none };
  }
  const flags = flagsOf(req, {
    interval: 'string',
    timeout: 'string',
    'start-period': 'string',
    'start-interval': 'string',
    retries: 'string',
  });
  if (type !== 'CMD') {
    throw new InstructionProblem(`unknown type ${JSON.stringify(type)} in HEALTHCHECK (try CMD)`, 'write HEALTHCHECK CMD <command> or HEALTHCHECK NONE');
  }
  const cmd = req.node.json ? args : args.length ? [args.join(' ')] : [];
  if (cmd.length === 0) throw new InstructionProblem('missing command after HEALTHCHECK CMD', 'add the command to run');
  return {
    kind: 'healthcheck',
    ...baseOf(req),
    test: [req.node.json ? 'CMD' : 'CMD-SHELL', ...cmd],
    interval: interval('interval', flags.string('interval')),
    timeout: interval('timeout', flags.string('timeout')),
    startPeriod: interval('start-period', flags.string('start-period')),
    startInterval: interval('start-interval', flags.string('start-interval')),
    retries: retries(flags.string('retries')),
  };
}

const MIN_DURATION_NS = 1e6;

/** A health interval: empty or 0 means "default"; anything else must be ≥ 1ms. */
function interval(name: string, value: string | undefined): number {
  if (!value) return 0;
  const ns = parseGoDuration(value);
  if (ns === 0) return 0;
  if (ns < MIN_DURATION_NS) throw new InstructionProblem(`interval ${JSON.stringify(name)} cannot be less than 1ms`, `set --${name} to 1ms or more`);
  return ns;
}

function retries(value: string | undefined): number {
  if (!value) return 0;
  if (!/^[+-]?[0-9]+$/.test(value)) throw new InstructionProblem(`invalid --retries value ${JSON.stringify(value)}`, 'use a whole number');
  const n = Number.parseInt(value, 10);
  if (n < 0) throw new InstructionProblem(`--retries cannot be negative (${n})`, 'use 0 or more');
  return n;
}
