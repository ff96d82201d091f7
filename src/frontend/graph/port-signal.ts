import { InstructionProblem } from '../errors.js';

/** `80`, `80/udp`, `8000-8010/tcp` → `80/tcp`, … (docker's nat.ParsePortSpecs for EXPOSE). */
export function parseExposedPort(spec: string): string[] {
  const m = /^([0-9]+)(?:-([0-9]+))?(?:\/([a-zA-Z]+))?$/.exec(spec);
  const first = Number(m?.[1]);
  const last = m?.[2] === undefined ? first : Number(m[2]);
  if (!m || first < 1 || last > 65535 || last < first) {
    throw new InstructionProblem(`invalid containerPort: ${spec}`, 'use <port>[/tcp|/udp] or <from>-<to>[/proto], ports 1-65535');
  }
  const proto = (m[3] ?? 'tcp').toLowerCase();
  const ports: string[] = [];
  for (let p = first; p <= last; p++) ports.push(`${p}/${proto}`);
  return ports;
}

const SIGNALS = new Set([
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL', 'PROF',
  'PWR', 'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'USR1', 'USR2',
  'VTALRM', 'WINCH', 'XCPU', 'XFSZ',
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
