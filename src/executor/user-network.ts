import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { SandboxError } from './sandbox-error.js';

/**
 * The addresses slirp4netns gives a namespace (its defaults for 10.0.2.0/24 and fd00::/64):
 * the step is 10.0.2.100, `gateway` leads out (and to the host's loopback when allowed), `dns`
 * forwards to the host's first resolver, whatever address that has.
 */
export const USER_NETWORK = { gateway: '10.0.2.2', dns: '10.0.2.3', gateway6: 'fd00::2', dns6: 'fd00::3' } as const;

export interface UserNetworkOptions {
  /** Let `gateway` reach the host's loopback services (`--add-host NAME:host-gateway`). */
  hostLoopback: boolean;
  ipv6: boolean;
}

/**
 * A running slirp4netns; `close` kills it, which lets the namespace go. It does not wait for
 * the exit: nothing depends on it, and the wait would add to every step.
 */
export interface AttachedNetwork {
  close(): void;
}

/** The namespace's interface, named as Docker names a container's. */
const INTERFACE = 'eth0';
/** slirp4netns's largest MTU: fewer, larger packets through the user-mode stack. */
const MTU = 65520;

/**
 * Attaches outbound networking to the network namespace of host process `pid`: slirp4netns
 * makes `eth0` there, configures addresses and routes, and relays the namespace's traffic
 * through ordinary sockets of the host, so no bridge, veth or firewall rule is involved.
 * Resolves once the interface is up. fd 4 is slirp4netns's exit fd: it quits when that closes,
 * so a killed tsbuild takes it (and with it the namespace) along.
 */
export function attachUserNetwork(pid: number, options: UserNetworkOptions): Promise<AttachedNetwork> {
  const args = [
    '--configure',
    `--mtu=${MTU}`,
    '--ready-fd=3',
    '--exit-fd=4',
    // It parses the step's packets as root on the host: its own mount namespace without the
    // host's files, no capabilities beyond binding ports, and a syscall filter (+3-5 ms).
    '--enable-sandbox',
    '--enable-seccomp',
    ...(options.hostLoopback ? [] : ['--disable-host-loopback']),
    ...(options.ipv6 ? ['--enable-ipv6'] : []),
    String(pid),
    INTERFACE,
  ];
  return new Promise((resolvePromise, reject) => {
    const child = spawn('slirp4netns', args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    const [, , stderr, ready, exitPipe] = child.stdio as [null, null, Readable, Readable, Writable];
    let errText = '';
    let settled = false;
    stderr.on('data', (data: Buffer) => {
      errText = (errText + data.toString('utf8')).slice(-2000);
    });
    exitPipe.on('error', () => {});
    const close = (): void => {
      child.kill('SIGKILL');
      exitPipe.destroy();
    };
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      reject(
        new SandboxError(
          `cannot give the step a network: slirp4netns ${why}; install slirp4netns (Debian package slirp4netns) or pass --network none or --network host`,
        ),
      );
      close();
    };
    ready.once('data', () => {
      if (settled) return;
      settled = true;
      resolvePromise({ close });
    });
    child.once('error', (err) => fail(`did not start: ${err.message}`));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before the network was up: ${errText.trim() || 'no output'}`));
  });
}

let hostIpv6: Promise<boolean> | undefined;

/** Whether the host routes IPv6 anywhere: a default route on an interface other than lo. */
export function hostHasIpv6(): Promise<boolean> {
  hostIpv6 ??= readFile('/proc/net/ipv6_route', 'utf8').then(
    (table) =>
      table.split('\n').some((line) => {
        const f = line.trim().split(/\s+/);
        return f.length >= 10 && /^0{32}$/.test(f[0]!) && f[1] === '00' && f[9] !== 'lo';
      }),
    () => false,
  );
  return hostIpv6;
}
