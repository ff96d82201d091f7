import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerConfig } from '../image/index.js';
import { runSandboxed } from './sandbox.js';
import { tempName } from '../fs/index.js';
import { SandboxError } from './sandbox-error.js';
import type { SandboxResult, SandboxSpec } from './types.js';

/** What `docker run` adds when an image sets no PATH. */
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface RunImageOptions {
  /** The image's runtime config (`config` of the OCI image config). */
  config: ContainerConfig;
  /** The image's unpacked layers, topmost first, as for a RUN step. */
  rootfs: { lowerdirs: string[]; mountCwd?: string };
  /** Where the container's throwaway writable layer goes; defaults to the OS temp dir. */
  scratchDir?: string;
  /** Replaces the image's CMD, as the words after the image in `docker run`. */
  command?: string[];
  /** Replaces the image's ENTRYPOINT and drops its CMD, as `--entrypoint`; `[]` clears it. */
  entrypoint?: string[];
  /** `NAME=value` entries that override the image's Env by name. */
  env?: string[];
  /** Replaces the image's USER. */
  user?: string;
  /** Replaces the image's WORKDIR. */
  workdir?: string;
  /** Default `default`: outbound access through slirp4netns, as a RUN step has. */
  network?: SandboxSpec['network'];
  extraHosts?: SandboxSpec['extraHosts'];
  hostname?: string;
  mounts?: SandboxSpec['mounts'];
  limits?: SandboxSpec['limits'];
  onOutput?: SandboxSpec['onOutput'];
  stdin?: SandboxSpec['stdin'];
  terminal?: SandboxSpec['terminal'];
  signal?: AbortSignal;
}

/**
 * Runs an image like `docker run --rm`: ENTRYPOINT + CMD (with docker's overrides), Env, USER
 * and WORKDIR from the config, in the RUN sandbox; every filesystem change is discarded.
 */
export async function runImage(options: RunImageOptions): Promise<SandboxResult> {
  const { config } = options;
  const args = containerArgs(config, options.command, options.entrypoint);
  const scratch = await mkdtemp(join(options.scratchDir ?? tmpdir(), `tsbuild-run-${tempName()}-`));
  try {
    const upperdir = join(scratch, 'upper');
    const workdir = join(scratch, 'work');
    await Promise.all([mkdir(upperdir), mkdir(workdir)]);
    return await runSandboxed({
      rootfs: { ...options.rootfs, upperdir, workdir },
      args,
      env: withDefaultPath(mergeEnv(config.Env ?? [], options.env ?? [])),
      cwd: options.workdir ?? (config.WorkingDir || '/'),
      user: options.user ?? config.User ?? '',
      network: options.network ?? 'default',
      mounts: options.mounts ?? [],
      ...(options.extraHosts !== undefined && { extraHosts: options.extraHosts }),
      ...(options.hostname !== undefined && { hostname: options.hostname }),
      ...(options.limits !== undefined && { limits: options.limits }),
      ...(options.onOutput !== undefined && { onOutput: options.onOutput }),
      ...(options.signal !== undefined && { signal: options.signal }),
      ...(options.stdin !== undefined && { stdin: options.stdin }),
      ...(options.terminal !== undefined && { terminal: options.terminal }),
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The container's argv: ENTRYPOINT then CMD, where an overridden ENTRYPOINT drops the image's CMD. */
export function containerArgs(config: ContainerConfig, command?: string[], entrypoint?: string[]): string[] {
  const ep = entrypoint ?? config.Entrypoint ?? [];
  const cmd = command !== undefined && command.length > 0 ? command : entrypoint !== undefined ? [] : (config.Cmd ?? []);
  const args = [...ep, ...cmd];
  if (args.length === 0) throw new SandboxError('the image has no ENTRYPOINT or CMD and no command was given');
  return args;
}

/** Env entries with later ones replacing earlier ones of the same name, in first-seen order. */
export function mergeEnv(base: string[], overrides: string[]): string[] {
  const byName = new Map<string, string>();
  for (const entry of [...base, ...overrides]) {
    const eq = entry.indexOf('=');
    byName.set(eq === -1 ? entry : entry.slice(0, eq), entry);
  }
  return [...byName.values()];
}

function withDefaultPath(env: string[]): string[] {
  return env.some((e) => e.startsWith('PATH=')) ? env : [...env, DEFAULT_PATH];
}
