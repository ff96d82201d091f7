import { isIP } from 'node:net';
import { InstructionProblem } from '../errors.js';
import { goQuote } from '../parser/go-quote.js';

const HINT = 'use <port>[/tcp|/udp|/sctp] or <from>-<to>[/proto], ports 0-65535';

/**
 * `80`, `80/udp`, `8000-8010/tcp` → `80/tcp`, … with the errors of BuildKit's EXPOSE port
 * parser (dockerfile2llb/convert_expose.go), which also takes and drops `[ip:]host:` parts.
 */
export function parseExposedPort(spec: string): string[] {
  const [ip, hostPort, containerPort] = splitParts(spec);
  const slash = containerPort.indexOf('/');
  const port = slash < 0 ? containerPort : containerPort.slice(0, slash);
  const proto = slash < 0 ? '' : containerPort.slice(slash + 1);
  const problem = (message: string) => new InstructionProblem(message, HINT);
  if (port === '') throw problem(`invalid port: ${goQuote(spec)}: no port specified`);
  if (!['', 'tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) throw problem(`invalid port: ${goQuote(spec)}: invalid proto: ${proto}`);
  const address = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  if (address !== '' && isIP(address) === 0) throw problem(`invalid IP address: ${address}`);
  const range = portRange(port);
  if (range === null) throw problem(`invalid containerPort: ${port}`);
  const [first, last] = range;
  if (hostPort !== '') {
    const host = portRange(hostPort);
    if (host === null) throw problem(`invalid hostPort: ${hostPort}`);
    if (last - first !== host[1] - host[0] && last !== first) {
      throw problem(`invalid ranges specified for container and host Ports: ${port} and ${hostPort}`);
    }
  }
  const ports: string[] = [];
  for (let p = first; p <= last; p++) ports.push(`${p}/${(proto || 'tcp').toLowerCase()}`);
  return ports;
}

/** `[ip:][host:]container`, an IPv6 address taking the colons before the last two. */
function splitParts(spec: string): [string, string, string] {
  const parts = spec.split(':');
  if (parts.length === 1) return ['', '', parts[0]!];
  if (parts.length === 2) return ['', parts[0]!, parts[1]!];
  return [parts.slice(0, -2).join(':'), parts.at(-2)!, parts.at(-1)!];
}

/** `80` or `8000-8010` as [first, last], or null (Go's strconv.ParseInt rules, 0-65535). */
function portRange(text: string): [number, number] | null {
  const dash = text.indexOf('-');
  const first = portNumber(dash < 0 ? text : text.slice(0, dash));
  if (first === null) return null;
  const end = dash < 0 ? undefined : text.slice(dash + 1);
  if (end === undefined || end === text.slice(0, dash)) return [first, first];
  const last = portNumber(end);
  return last === null || last < first ? null : [first, last];
}

function portNumber(text: string): number | null {
  if (!/^[+-]?[0-9]+$/.test(text)) return null;
  const n = Number(text);
  return n >= 0 && n <= 65535 ? n : null;
}

const SIGNALS = new Set([
  'ABRT',
  'ALRM',
  'BUS',
  'CHLD',
  'CLD',
  'CONT',
  'FPE',
  'HUP',
  'ILL',
  'INT',
  'IO',
  'IOT',
  'KILL',
  'PIPE',
  'POLL',
  'PROF',
  'PWR',
  'QUIT',
  'SEGV',
  'STKFLT',
  'STOP',
  'SYS',
  'TERM',
  'TRAP',
  'TSTP',
  'TTIN',
  'TTOU',
  'URG',
  'USR1',
  'USR2',
  'VTALRM',
  'WINCH',
  'XCPU',
  'XFSZ',
]);

/** A signal name (`SIGTERM`, `TERM`, `RTMIN+3`) or number; returned as written. */
export function checkStopSignal(signal: string): string {
  const name = signal.toUpperCase().replace(/^SIG/, '');
  const rt = /^RTM(?:IN|AX)(?:[+-][0-9]+)?$/.test(name);
  // moby's signal.ParseSignal reads numbers as uint8: 1 to 255.
  const numeric = /^[0-9]+$/.test(signal) && Number(signal) > 0 && Number(signal) <= 255;
  if (!numeric && !rt && !SIGNALS.has(name)) {
    throw new InstructionProblem(`invalid signal: ${signal}`, 'use a signal name such as SIGTERM or a number');
  }
  return signal;
}
