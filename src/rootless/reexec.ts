import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { RootlessError } from './errors.js';
import { checkRootless, USERNS_HELPER, type RootlessSetup } from './prerequisites.js';

export interface MappedProcess {
  child: ChildProcess;
  /** The exit code (128+n for signal n); rejects with RootlessError when the namespace failed. */
  exit: Promise<number>;
}

/**
 * Starts `command` as root of a new user namespace mapped 0 → this user and 1…N → the
 * user's subordinate ids (plus a mount namespace of its own). Inside, every store and sandbox
 * operation sees the image's own ids, so layers come out as a root build makes them while the
 * files on disk belong to the user's ids. Throws RootlessError naming what is missing.
 */
export function spawnInUserNamespace(command: string[], opts: { ipc?: boolean } = {}): MappedProcess {
  const { setup, problems } = checkRootless();
  if (!setup) throw new RootlessError(problems.join('\n'));
  const ids = [setup.uid, setup.subuid.start, setup.subuid.count, setup.gid, setup.subgid.start, setup.subgid.count].map(String);
  // fd 3 carries the helper's own complaints; an IPC channel (API builds) is fd 4.
  const child = spawn(USERNS_HELPER, [...ids, '--', ...command], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe', ...(opts.ipc ? (['ipc'] as const) : [])],
    ...(opts.ipc && { serialization: 'advanced' as const }),
  });
  const errors: Buffer[] = [];
  (child.stdio[3] as Readable).on('data', (chunk: Buffer) => errors.push(chunk));
  const exit = new Promise<number>((resolve, reject) => {
    child.on('error', (err) => reject(new RootlessError(`cannot start ${USERNS_HELPER}: ${err.message}`, { cause: err })));
    child.on('close', (code, signal) => {
      const text = Buffer.concat(errors).toString('utf8').trim();
      if (text) reject(new RootlessError(explainHelperFailure(text, setup)));
      else resolve(code ?? 128 + (signal ? signalNumber(signal) : 0));
    });
  });
  return { child, exit };
}

/** Runs this tsbuild command again in a user namespace (see spawnInUserNamespace); returns its exit code. */
export async function runInUserNamespace(script: string, argv: string[]): Promise<number> {
  const { child, exit } = spawnInUserNamespace([process.execPath, ...process.execArgv, script, ...argv]);
  // The terminal sends SIGINT/SIGQUIT to the whole process group, the inner tsbuild included,
  // which then shuts down in its own way; this process only waits for it. SIGTERM and SIGHUP
  // sent to this process alone are passed on (the helper forwards them to the inner tsbuild).
  const ignore = (): void => {};
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', ignore).on('SIGQUIT', ignore).on('SIGTERM', forward).on('SIGHUP', forward);
  try {
    return await exit;
  } finally {
    process.off('SIGINT', ignore).off('SIGQUIT', ignore).off('SIGTERM', forward).off('SIGHUP', forward);
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 }[signal as string] ?? 0;
}

/** The helper's own words (or newuidmap's) turned into what the user can do about them. */
function explainHelperFailure(text: string, setup: RootlessSetup): string {
  const detail = text.replace(/^tsbuild-userns: /gm, '').replace(/\n/g, '; ');
  if (/unshare/.test(text)) {
    return `cannot create a user namespace (${detail}): user namespaces are disabled or restricted on this machine; as root, check sysctl user.max_user_namespaces and kernel.unprivileged_userns_clone`;
  }
  if (/new[ug]idmap/.test(text)) {
    const end = (r: { start: number; count: number }): number => r.start + r.count - 1;
    return `cannot map ${setup.user}'s subordinate ids ${setup.subuid.start}-${end(setup.subuid)} (uids) and ${setup.subgid.start}-${end(setup.subgid)} (gids) (${detail}): check /etc/subuid and /etc/subgid, and that ${setup.newuidmap} is setuid root (apt-get install --reinstall uidmap)`;
  }
  return `cannot enter a user namespace: ${detail}`;
}
