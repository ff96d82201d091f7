// Which process owns a temp file or a lease. Names carry the pid and its start time, so a
// pid reused by another process after a crash is not mistaken for the owner.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Start time of a process in clock ticks since boot, or undefined when it is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after it are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

const SELF_START = processStartTime(process.pid) ?? '0';

export function selfStartTime(): string {
  return SELF_START;
}

export function processIsAlive(pid: number, startTime: string): boolean {
  return processStartTime(pid) === startTime;
}

/** A unique name owned by this process: `<pid>-<start>-<random>`. */
export function tempName(): string {
  return `${process.pid}-${SELF_START}-${randomBytes(6).toString('hex')}`;
}

/** Whether the process that made a `tempName()` name still runs. */
export function ownerIsAlive(name: string): boolean {
  const match = /^(\d+)-(\d+)-/.exec(name);
  return match !== null && processIsAlive(Number(match[1]), match[2]!);
}
