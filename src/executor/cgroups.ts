import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inUserNamespace } from '../rootless/index.js';
import { SandboxError } from './sandbox-error.js';
import type { SandboxSpec } from './types.js';

export type CgroupLimits = NonNullable<SandboxSpec['limits']>;

/** The cgroup(s) one step runs in; the sandbox joins them through `procsFiles`. */
export interface StepCgroup {
  procsFiles: string[];
  /** Whether the kernel OOM-killed a process of the step. */
  oomKilled(): Promise<boolean>;
  /** Removes the cgroup directories once every process has exited. */
  remove(): Promise<void>;
}

const DEFAULT_CPU_PERIOD = 100_000;

/**
 * Creates a cgroup for one step under the caller's own cgroup, on cgroup v2 when `root` is a
 * cgroup2 mount and on the v1 memory, cpu, cpuset and pids controllers otherwise. Returns undefined
 * when no limit is set: then the step needs no cgroup at all.
 */
export async function createStepCgroup(limits: CgroupLimits, root = '/sys/fs/cgroup'): Promise<StepCgroup | undefined> {
  if (Object.values(limits).every((value) => value === undefined)) return undefined;
  const name = `tsbuild-${process.pid}-${randomBytes(4).toString('hex')}`;
  const own = await ownCgroups();
  try {
    return existsSync(join(root, 'cgroup.controllers'))
      ? await createV2(v2Parent(root, own.get('') ?? '/'), name, limits)
      : await createV1(root, own, name, limits);
  } catch (err) {
    if (inUserNamespace() && isPermissionError(err)) {
      warnLimitsIgnored();
      return undefined;
    }
    if (err instanceof SandboxError) throw err;
    throw new SandboxError(`cannot apply resource limits: ${(err as Error).message}`, { cause: err });
  }
}

function isPermissionError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
}

let warned = false;

/**
 * Rootless: limits need a cgroup v2 subtree delegated to the user (systemd's `Delegate=`);
 * without one the steps run unlimited, which is said once per process, as Podman does.
 */
function warnLimitsIgnored(): void {
  if (warned) return;
  warned = true;
  process.stderr.write(
    'WARNING: rootless mode without a delegated cgroup v2 subtree: --memory, --cpu-quota, --cpu-period and --cpuset-cpus are ignored\n',
  );
}

/** Step cgroups go under tsbuild's own cgroup, or under the one enableControllers moved it out of. */
function v2Parent(root: string, own: string): string {
  return join(root, basename(own) === MAIN_LEAF ? dirname(own) : own);
}

/** Controller name ('' for the v2 hierarchy) → this process's cgroup path, from /proc/self/cgroup. */
async function ownCgroups(): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for (const line of (await readFile('/proc/self/cgroup', 'utf8')).split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    for (const controller of match[1]!.split(',')) map.set(controller, match[2]!);
  }
  return map;
}

async function createV1(root: string, own: Map<string, string>, name: string, limits: CgroupLimits): Promise<StepCgroup> {
  const dirs: string[] = [];
  const make = async (controller: string): Promise<string> => {
    const base = join(root, controller);
    if (!existsSync(base)) throw new SandboxError(`cannot apply resource limits: no ${controller} cgroup controller at ${base}`);
    const dir = join(base, own.get(controller) ?? '/', name);
    await mkdir(dir);
    dirs.push(dir);
    return dir;
  };
  const release = async (): Promise<void> => removeDirs(dirs);
  try {
    let memoryDir: string | undefined;
    if (limits.memory !== undefined) {
      memoryDir = await make('memory');
      await writeFile(join(memoryDir, 'memory.limit_in_bytes'), String(limits.memory));
      // Without this the step would swap instead of hitting its limit.
      const memsw = join(memoryDir, 'memory.memsw.limit_in_bytes');
      if (existsSync(memsw)) await writeFile(memsw, String(limits.memory));
    }
    if (limits.cpuQuota !== undefined || limits.cpuPeriod !== undefined) {
      const dir = await make('cpu');
      await writeFile(join(dir, 'cpu.cfs_period_us'), String(limits.cpuPeriod ?? DEFAULT_CPU_PERIOD));
      if (limits.cpuQuota !== undefined) await writeFile(join(dir, 'cpu.cfs_quota_us'), String(limits.cpuQuota));
    }
    if (limits.cpusetCpus !== undefined) {
      const dir = await make('cpuset');
      // A v1 cpuset accepts no task until it has memory nodes; take the parent's.
      await writeFile(join(dir, 'cpuset.mems'), (await readFile(join(dir, '..', 'cpuset.mems'), 'utf8')).trim());
      await writeFile(join(dir, 'cpuset.cpus'), limits.cpusetCpus);
    }
    if (limits.pids !== undefined) await writeFile(join(await make('pids'), 'pids.max'), String(limits.pids));
    return {
      procsFiles: dirs.map((dir) => join(dir, 'cgroup.procs')),
      oomKilled: async () => memoryDir !== undefined && oomKillCount(await readFile(join(memoryDir, 'memory.oom_control'), 'utf8')) > 0,
      remove: release,
    };
  } catch (err) {
    await release();
    throw err;
  }
}

async function createV2(parent: string, name: string, limits: CgroupLimits): Promise<StepCgroup> {
  const controllers = [
    limits.memory !== undefined && 'memory',
    (limits.cpuQuota !== undefined || limits.cpuPeriod !== undefined) && 'cpu',
    limits.cpusetCpus !== undefined && 'cpuset',
    limits.pids !== undefined && 'pids',
  ].filter((c): c is string => Boolean(c));
  await enableControllers(parent, controllers);
  const dir = join(parent, name);
  await mkdir(dir);
  try {
    if (limits.memory !== undefined) {
      await writeFile(join(dir, 'memory.max'), String(limits.memory));
      if (existsSync(join(dir, 'memory.swap.max'))) await writeFile(join(dir, 'memory.swap.max'), '0');
    }
    if (controllers.includes('cpu')) {
      await writeFile(join(dir, 'cpu.max'), `${limits.cpuQuota ?? 'max'} ${limits.cpuPeriod ?? DEFAULT_CPU_PERIOD}`);
    }
    if (limits.cpusetCpus !== undefined) await writeFile(join(dir, 'cpuset.cpus'), limits.cpusetCpus);
    if (limits.pids !== undefined) await writeFile(join(dir, 'pids.max'), String(limits.pids));
  } catch (err) {
    await removeDirs([dir]);
    throw err;
  }
  return {
    procsFiles: [join(dir, 'cgroup.procs')],
    oomKilled: async () => limits.memory !== undefined && oomKillCount(await readFile(join(dir, 'memory.events'), 'utf8')) > 0,
    remove: () => removeDirs([dir]),
  };
}

/** The leaf that tsbuild's own processes move to on cgroup v2; see enableControllers. */
const MAIN_LEAF = 'tsbuild-main';

async function enableControllers(parent: string, controllers: string[]): Promise<void> {
  const line = controllers.map((c) => `+${c}`).join(' ');
  try {
    await writeFile(join(parent, 'cgroup.subtree_control'), line);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EBUSY') throw err;
    // v2 lets only leaf cgroups (and the root) hold processes, and tsbuild's own cgroup holds
    // tsbuild: move its processes into a leaf of their own, as buildkitd and dind do.
    const leaf = join(parent, MAIN_LEAF);
    await mkdir(leaf, { recursive: true });
    for (const pid of (await readFile(join(parent, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean)) {
      await writeFile(join(leaf, 'cgroup.procs'), pid).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ESRCH') throw e; // exited meanwhile
      });
    }
    await writeFile(join(parent, 'cgroup.subtree_control'), line);
  }
}

/** Reads the `oom_kill N` line of v1 memory.oom_control or v2 memory.events. */
export function oomKillCount(text: string): number {
  const match = /^oom_kill (\d+)$/m.exec(text);
  return match ? Number(match[1]) : 0;
}

async function removeDirs(dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    // The last exiting processes may still be leaving the cgroup for a moment.
    for (let attempt = 0; ; attempt++) {
      try {
        await rmdir(dir);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') break;
        if (code !== 'EBUSY' || attempt === 50) throw err;
        await sleep(20);
      }
    }
  }
}
