import type { NetworkMode } from '../network-mode.js';

/**
 * A mount for one RUN step, resolved by the solver to host paths and bytes.
 * Targets are paths inside the sandbox; relative ones resolve against the step's cwd.
 */
export type ResolvedMount =
  /**
   * A host path; `readonly: false` lets the step write, but the writes are discarded.
   * `hidden`: paths under a directory source the step must not see (what .dockerignore excluded).
   */
  | { type: 'bind'; source: string; target: string; readonly: boolean; hidden?: string[] }
  /** A host directory the store keeps across builds; writes persist there, never in the layer. */
  | { type: 'cache'; source: string; target: string; readonly: boolean }
  /** A fresh tmpfs; `size` in bytes caps it. */
  | { type: 'tmpfs'; target: string; size?: number }
  /** A secret as a read-only file at `target` and/or as the env var `env`; never written to disk. */
  | { type: 'secret'; target?: string; env?: string; content: Buffer; mode: number; uid: number; gid: number }
  /** An SSH agent socket, re-exposed at `target` with the given owner and mode. */
  | { type: 'ssh'; target: string; socket: string; mode: number; uid: number; gid: number };

/** An /etc/hosts entry; `ip` is an address or `host-gateway`, the address that reaches the host. */
export interface ExtraHost {
  host: string;
  ip: string;
}

/** One `--ulimit NAME=SOFT[:HARD]`: a setrlimit resource by docker's name (nofile, nproc, core, …). */
export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

export interface SandboxSpec {
  /**
   * The step's root: an overlay of `lowerdirs` (topmost first) under `upperdir`. Lowerdirs may
   * be relative to `mountCwd`, which keeps the mount options short; `upperdir` and `workdir`
   * are on one filesystem and `upperdir` holds the step's diff afterwards.
   */
  rootfs: { lowerdirs: string[]; upperdir: string; workdir: string; mountCwd?: string };
  /** The exact argv; `args[0]` is looked up in the PATH of `env` when it has no slash. */
  args: string[];
  /** `NAME=value` entries; HOME is added from /etc/passwd when missing. */
  env: string[];
  /** Absolute working directory, created (owned by the user) when missing. */
  cwd: string;
  /** As in USER: `name|uid[:group|gid]`, resolved through the rootfs's /etc/passwd and /etc/group. */
  user: string;
  /** Defaults to `buildkitsandbox`. */
  hostname?: string;
  /**
   * `default`: a new network namespace with outbound access through slirp4netns (user-mode
   * networking: no bridge, no firewall rule); `none`: a new one with only `lo`; `host`: the
   * host's own.
   */
  network: NetworkMode;
  /** `--add-host` entries for /etc/hosts; `host-gateway` also opens the host's loopback to the step. */
  extraHosts?: ExtraHost[];
  /** `insecure` keeps every capability and device, like `docker run --privileged`. */
  security?: 'sandbox' | 'insecure';
  mounts: ResolvedMount[];
  /**
   * Memory in bytes (swap disabled), CFS quota and period in microseconds, cpuset list, and
   * the most processes and threads the step may have at once.
   */
  limits?: { memory?: number; cpuQuota?: number; cpuPeriod?: number; cpusetCpus?: string; pids?: number };
  /**
   * `tsbuild run -t`: the command runs on a pseudo-terminal of this size (its controlling
   * terminal, so Ctrl-C typed into `input` interrupts it); everything it prints comes to
   * onOutput as stdout; `watchResize` hands over a function that resizes the terminal and
   * returns one that stops watching.
   */
  terminal?: {
    rows: number;
    cols: number;
    input?: NodeJS.ReadableStream;
    watchResize?: (resize: (rows: number, cols: number) => void) => () => void;
  };
  /** Resource limits (setrlimit) of the step's processes, as `docker run --ulimit`. */
  ulimits?: Ulimit[];
  /**
   * The command's stdin (`tsbuild run -i`); default none. `inherit` hands over this process's
   * fd 0, which must not be a terminal (a process holding the host's terminal can type into
   * it with TIOCSTI); a stream is copied in through a pipe.
   */
  stdin?: 'inherit' | 'ignore' | NodeJS.ReadableStream;
  /** Receives the command's output as it comes. */
  onOutput?: (stream: 'stdout' | 'stderr', data: Buffer) => void;
  /** Aborting kills every process of the sandbox; `runSandboxed` then rejects with the reason. */
  signal?: AbortSignal;
}

export interface SandboxResult {
  /** The command's exit code, or 128 + signal number when a signal ended it. */
  exitCode: number;
  /** The signal's name (`SIGKILL`) when a signal ended the command. */
  signal?: string;
  /** The step's memory limit was hit and the kernel killed a process for it. */
  oomKilled: boolean;
}
