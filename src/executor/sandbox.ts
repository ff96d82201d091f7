import { spawn, type ChildProcess, type SpawnOptions, type StdioOptions } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, write, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { packagePath } from '../package-root.js';
import { inUserNamespace } from '../rootless/index.js';
import { native } from '../native.js';
import { createStepCgroup, type StepCgroup } from './cgroups.js';
import { hostsFile, resolvConf } from './etc-files.js';
import { encodeInitSpec, escapeOverlayPath, type InitMount } from './init-spec.js';
import { parseInitStatus, signalName } from './init-status.js';
import { prepareMounts, type PreparedMounts } from './prepare-mounts.js';
import { tempName } from '../fs/index.js';
import { SandboxError } from './sandbox-error.js';
import { removeSetupTraces } from './setup-traces.js';
import { resolveExtraHosts, wantsHostGateway } from './extra-hosts.js';
import type { SandboxResult, SandboxSpec, Ulimit } from './types.js';
import { attachUserNetwork, hostHasIpv6, USER_NETWORK, type AttachedNetwork, type UserNetworkOptions } from './user-network.js';

/** Built by node-gyp from native/init/tsbuild-init.c. */
const INIT_BINARY = packagePath('build/Release/tsbuild-init');

const DEFAULT_HOSTNAME = 'buildkitsandbox';

/**
 * Runs one RUN step: an overlay of the step's layers as root, new pid/mount/uts/ipc (and
 * net) namespaces, Docker's default capabilities, the step's mounts and limits. Afterwards
 * `spec.rootfs.upperdir` holds exactly the command's changes. Rejects with SandboxError when
 * the sandbox cannot be set up or the command cannot start; a failing command is a result.
 */
export async function runSandboxed(spec: SandboxSpec): Promise<SandboxResult> {
  spec.signal?.throwIfAborted();
  if (process.getuid?.() !== 0) {
    throw new SandboxError('running a step needs root, or the tsbuild command, which runs a non-root user in a user namespace');
  }
  if (!existsSync(INIT_BINARY)) throw new SandboxError(`${INIT_BINARY} is missing; build it with node-gyp rebuild`);
  // Named after this process, so fsck and prune can remove it once the process is gone.
  // The scratch dir's files and dirs are made (and removed) synchronously: each call takes
  // microseconds, while an await on the thread pool per call added up to milliseconds per step
  // when several steps start at once.
  const scratch = mkdtempSync(join(tmpdir(), `tsbuild-step-${tempName()}-`));
  let mounts: PreparedMounts | undefined;
  let cgroup: StepCgroup | undefined;
  try {
    const cwd = posix.resolve('/', spec.cwd);
    mounts = await prepareMounts(spec.mounts, cwd, scratch);
    cgroup = spec.limits ? await createStepCgroup(spec.limits) : undefined;
    const upperdir = resolve(spec.rootfs.mountCwd ?? '.', spec.rootfs.upperdir);
    const userNetwork = await userNetworkOf(spec);
    const encoded = encodeInitSpec({
      root: mkdirIn(scratch, 'root'),
      mountCwd: spec.rootfs.mountCwd,
      overlayOptions: overlayOptions(spec.rootfs, scratch),
      upperdir,
      staging: mkdirIn(scratch, 'secrets'),
      hostname: spec.hostname ?? DEFAULT_HOSTNAME,
      hostNetwork: spec.network === 'host',
      netSync: userNetwork !== undefined,
      insecure: spec.security === 'insecure',
      userns: inUserNamespace(),
      // mknod of real devices is refused in a user namespace, whose root cannot change the host's inodes either.
      bindHostDevices: inUserNamespace(),
      args: spec.args,
      env: [...spec.env, ...mounts.env],
      cwd,
      user: spec.user,
      cgroupProcs: cgroup?.procsFiles ?? [],
      mounts: [...etcMounts(spec, scratch), ...mounts.mounts],
    });
    const { status, code, killedBy } = await runInit(encoded, spec, userNetwork);
    if (spec.signal?.aborted) throw spec.signal.reason;
    const parsed = parseInitStatus(status);
    if (parsed.error !== undefined) throw new SandboxError(explainInitError(parsed.error));
    removeSetupTraces(upperdir, parsed.traces);
    const oomKilled = (await cgroup?.oomKilled()) ?? false;
    // Without an exit record, PID 1 itself was killed (by the OOM killer, say).
    const signal = parsed.signal ?? (parsed.exitCode === undefined && code !== null && code > 128 ? code - 128 : undefined);
    if (signal !== undefined) return { exitCode: 128 + signal, signal: signalName(signal), oomKilled };
    if (parsed.exitCode === undefined && code === null) {
      throw new SandboxError(`the sandbox was killed by ${killedBy ?? 'a signal'}`);
    }
    return { exitCode: parsed.exitCode ?? code ?? 1, oomKilled };
  } finally {
    await mounts?.close();
    await cgroup?.remove();
    // Without step mounts it holds only what was made above; a writable bind's throwaway
    // layer may hold anything the command wrote, so that is removed off the event loop.
    if (spec.mounts.length === 0) rmSync(scratch, { recursive: true, force: true });
    else await rm(scratch, { recursive: true, force: true });
  }
}

/** Rootless: overlayfs refusing the root mount has a cause the user can act on. */
function explainInitError(error: string): string {
  if (!inUserNamespace() || !error.startsWith('mounting the root overlay')) return error;
  return `${error}: overlayfs refused the mount in a user namespace (rootless mode); it needs Linux 5.11 or later and a store on a local filesystem with user.* xattrs (ext4, xfs, btrfs; tmpfs from Linux 6.6): point --root or TSBUILD_ROOT at one`;
}

/** What slirp4netns needs for a `default` network; none for `none` and `host`. */
async function userNetworkOf(spec: SandboxSpec): Promise<UserNetworkOptions | undefined> {
  if (spec.network !== 'default') return undefined;
  return { hostLoopback: wantsHostGateway(spec.extraHosts ?? []), ipv6: await hostHasIpv6() };
}

function mkdirIn(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir);
  return dir;
}

/** mount(2) copies at most a page of options. */
const MAX_MOUNT_OPTIONS = 4095;

function overlayOptions(rootfs: SandboxSpec['rootfs'], scratch: string): string {
  // overlayfs needs a lower layer; FROM scratch has none.
  const lowers = rootfs.lowerdirs.length > 0 ? rootfs.lowerdirs : [mkdirIn(scratch, 'empty')];
  // Plain overlay format for the diff: no redirect or metacopy xattrs; renaming a lower
  // directory then copies it up whole, as Docker's overlay2 does.
  // In a user namespace (rootless) the markers go to user.overlay.* xattrs (`userxattr`),
  // which also rules out redirects.
  // `volatile`: unmounting a writable overlay otherwise runs syncfs on the whole filesystem
  // of the upper dir (every dirty page on it, other processes' too), 40-120 ms per RUN on
  // this machine, as the sandbox's PID 1 exits. The upper dir's content is the same; its data
  // reaches the disk as a COPY layer's does (the store fsyncs the snapshot's renames, not file
  // data). The work dir that marks a volatile mount is fresh per step and removed after it.
  const options = [
    `lowerdir=${lowers.map(escapeOverlayPath).join(':')}`,
    `upperdir=${escapeOverlayPath(rootfs.upperdir)}`,
    `workdir=${escapeOverlayPath(rootfs.workdir)}`,
    'index=off',
    inUserNamespace() ? 'userxattr' : 'redirect_dir=off',
    'metacopy=off',
    'volatile',
  ].join(',');
  if (options.length > MAX_MOUNT_OPTIONS) {
    throw new SandboxError(
      `the root overlay's ${lowers.length} layers need ${options.length} bytes of mount options, over the ${MAX_MOUNT_OPTIONS}-byte limit; pass shorter lowerdirs relative to rootfs.mountCwd`,
    );
  }
  return options;
}

/** /etc/hosts, /etc/resolv.conf and /etc/hostname: bound in read-only, never in the layer. */
function etcMounts(spec: SandboxSpec, scratch: string): InitMount[] {
  const dir = mkdirIn(scratch, 'etc');
  const hostname = spec.hostname ?? DEFAULT_HOSTNAME;
  const files: [string, string][] = [
    ['hosts', hostsFile(hostname, resolveExtraHosts(spec.extraHosts ?? [], spec.network))],
    ['resolv.conf', resolvConf(spec.network === 'host', spec.network === 'default' ? USER_NETWORK.dns : undefined)],
    ['hostname', `${hostname}\n`],
  ];
  return files.map(([name, content]) => {
    writeFileSync(join(dir, name), content, { mode: 0o644 });
    return { kind: 'bind', source: join(dir, name), target: `/etc/${name}`, readonly: true } as const;
  });
}

interface InitOutcome {
  status: Buffer;
  code: number | null;
  killedBy: NodeJS.Signals | null;
}

function runInit(encoded: Buffer, spec: SandboxSpec, userNetwork: UserNetworkOptions | undefined): Promise<InitOutcome> {
  return new Promise((resolvePromise, reject) => {
    const input = spec.stdin ?? 'ignore';
    const pty = spec.terminal ? native.openpty(spec.terminal.rows, spec.terminal.cols) : undefined;
    // fd 5: the network sync pipe (the init closes an fd 5 it was not told about).
    const sync = userNetwork ? 'pipe' : 'ignore';
    const stdio: StdioOptions = pty
      ? [pty[1], pty[1], pty[1], 'pipe', 'pipe', sync]
      : [typeof input === 'string' ? input : 'pipe', 'pipe', 'pipe', 'pipe', 'pipe', sync];
    const child = spawnInit(spec.ulimits ?? [], { stdio });
    if (pty) closeSync(pty[1]);
    const stopInput = typeof input === 'string' || pty ? () => {} : feedStdin(input, child);
    const drained = pty && spec.terminal ? attachTerminal(pty[0], spec.terminal, spec.onOutput) : Promise.resolve();
    const statusChunks: Buffer[] = [];
    const [, stdout, stderr, specPipe, statusPipe, netSync] = child.stdio as unknown as [
      null,
      Readable | null,
      Readable | null,
      Writable,
      Readable,
      Writable | null,
    ];
    let network: Promise<AttachedNetwork | undefined> | undefined;
    stdout?.on('data', (data: Buffer) => spec.onOutput?.('stdout', data));
    stderr?.on('data', (data: Buffer) => spec.onOutput?.('stderr', data));
    statusPipe.on('data', (data: Buffer) => {
      statusChunks.push(data);
      if (userNetwork && netSync && !network) {
        const pid = netnsPid(Buffer.concat(statusChunks));
        if (pid !== undefined) {
          network = attachNetwork(pid, userNetwork, netSync);
          // Its failure is reported when the init has exited (it stops on EOF), not before.
          network.catch(() => {});
        }
      }
    });
    // EPIPE when the init dies before reading the spec (or waiting for the network); its status says why.
    specPipe.on('error', () => {});
    netSync?.on('error', () => {});
    specPipe.end(encoded);
    // SIGKILL on the outer process: PID 1 has it as its parent-death signal, and its death
    // takes every process of the sandbox along.
    const abort = (): void => {
      child.kill('SIGKILL');
    };
    spec.signal?.addEventListener('abort', abort, { once: true });
    // Aborted while the step was being prepared: the listener came too late to hear it.
    if (spec.signal?.aborted) abort();
    child.on('error', (err) => {
      spec.signal?.removeEventListener('abort', abort);
      reject(new SandboxError(`cannot start ${INIT_BINARY}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, killedBy) => {
      stopInput();
      spec.signal?.removeEventListener('abort', abort);
      void drained.then(() => {
        const outcome = { status: Buffer.concat(statusChunks), code, killedBy };
        if (!network) return resolvePromise(outcome);
        network.then((attached) => {
          attached?.close();
          resolvePromise(outcome);
        }, reject);
      });
    });
  });
}

/** The host pid in tsbuild-init's `netns-ready <pid>` record, once it has arrived. */
function netnsPid(status: Buffer): number | undefined {
  const match = /(?:^|\0)netns-ready (\d+)\0/.exec(status.toString('latin1'));
  return match ? Number(match[1]) : undefined;
}

/** Attaches the network, then lets the init go on to the command; on failure the init gets EOF and stops. */
async function attachNetwork(pid: number, options: UserNetworkOptions, netSync: Writable): Promise<AttachedNetwork> {
  try {
    const attached = await attachUserNetwork(pid, options);
    netSync.end(Buffer.from('1'));
    return attached;
  } catch (err) {
    netSync.destroy();
    throw err;
  }
}

/**
 * The init, under util-linux's prlimit when the step has `--ulimit`s: limits set before exec
 * are inherited by the init and every process of the sandbox.
 */
function spawnInit(ulimits: Ulimit[], options: SpawnOptions): ChildProcess {
  if (ulimits.length === 0) return spawn(INIT_BINARY, [], options);
  return spawn('prlimit', [...ulimits.map((u) => `--${u.name}=${u.soft}:${u.hard}`), '--', INIT_BINARY], options);
}

/** Copies `input` into the init's stdin until it exits; returns the function that stops copying. */
function feedStdin(input: NodeJS.ReadableStream, child: ChildProcess): () => void {
  const sink = child.stdin!;
  // The command may exit without reading everything: a closed pipe is not an error here.
  sink.on('error', () => {});
  input.pipe(sink);
  return () => {
    input.unpipe(sink);
    // Reading process.stdin keeps the event loop alive; the caller is done with it.
    if (input === process.stdin) process.stdin.pause();
  };
}

/**
 * Connects the pty's master side: the command's output to `onOutput`, `input` in, resizes
 * through. Resolves once the command's side is closed (every process of the sandbox is gone)
 * and all its output was read; the master is closed then.
 */
function attachTerminal(master: number, terminal: NonNullable<SandboxSpec['terminal']>, onOutput: SandboxSpec['onOutput']): Promise<void> {
  const output = createReadStream('', { fd: master, autoClose: false, highWaterMark: 4096 });
  output.on('data', (data) => onOutput?.('stdout', data as Buffer));
  const feed = (data: Buffer | string): void => write(master, typeof data === 'string' ? Buffer.from(data) : data, () => {});
  terminal.input?.on('data', feed);
  const unwatch = terminal.watchResize?.((rows, cols) => native.setWinsize(master, rows, cols));
  return new Promise((resolveDrained) => {
    // EIO once the last process holding the other side exits: the normal end of a terminal.
    const done = (): void => {
      terminal.input?.off('data', feed);
      unwatch?.();
      closeSync(master);
      resolveDrained();
    };
    output.once('error', done);
    output.once('end', done);
  });
}
