import { constants } from 'node:os';

/** What the sandbox setup put into the upper dir, to be taken out of the step's diff. */
export interface SetupTraces {
  /** Paths (inside the sandbox) created as mount points or their parents. */
  created: string[];
  /** Existing directories the setup copied up, with their metadata before the copy-up. */
  copyups: { path: string; mode: number; uid: number; gid: number }[];
}

/** The records tsbuild-init writes to fd 4, parsed. */
export interface InitStatus {
  traces: SetupTraces;
  /** The setup failed or the command could not be started. */
  error?: string;
  exitCode?: number;
  signal?: number;
}

/** Parses the NUL-terminated records `created`, `copyup`, `error`, `exit`, `signal`. */
export function parseInitStatus(raw: Buffer): InitStatus {
  const status: InitStatus = { traces: { created: [], copyups: [] } };
  for (const record of raw.toString('utf8').split('\0')) {
    const space = record.indexOf(' ');
    const kind = record.slice(0, space);
    const rest = record.slice(space + 1);
    switch (kind) {
      case 'created':
        status.traces.created.push(rest);
        break;
      case 'copyup': {
        const match = /^([0-7]+) (\d+) (\d+) (\/.*)$/s.exec(rest);
        if (match) {
          status.traces.copyups.push({ mode: parseInt(match[1]!, 8), uid: Number(match[2]), gid: Number(match[3]), path: match[4]! });
        }
        break;
      }
      case 'error':
        status.error ??= rest;
        break;
      case 'exit':
        status.exitCode = Number(rest);
        break;
      case 'signal':
        status.signal = Number(rest);
        break;
    }
  }
  return status;
}

/** `9` → `SIGKILL`. */
export function signalName(signal: number): string {
  const entry = Object.entries(constants.signals).find(([, n]) => n === signal);
  return entry ? entry[0] : `SIG${signal}`;
}
