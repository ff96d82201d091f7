import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStepCgroup, oomKillCount } from '../../src/executor/cgroups.js';
import { createFixture, isRoot, type Fixture } from './fixture.js';

const v1 = existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes');
if (!isRoot || !v1) console.warn('skipping cgroup v1 limit tests: they need root and the v1 memory, cpu and cpuset controllers');

describe('oom kill count', () => {
  it('reads the oom_kill line of memory.oom_control and memory.events', () => {
    expect(oomKillCount('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n')).toBe(3);
    expect(oomKillCount('low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n')).toBe(1);
    expect(oomKillCount('oom_kill_disable 0\nunder_oom 0\n')).toBe(0);
  });
});

describe('cgroup v2 limits', () => {
  it('enables the controllers in the parent and writes memory.max, cpu.max and cpuset.cpus', async () => {
    // A stand-in tree: cgroup v2 is plain files to write, and this machine has its
    // controllers on v1, so a real v2 hierarchy cannot take limits here.
    const root = await mkdtemp(join(tmpdir(), 'tsbuild-cgroup2-'));
    try {
      const own = /^0::(.*)$/m.exec(await readFile('/proc/self/cgroup', 'utf8'))?.[1] ?? '/';
      await mkdir(join(root, own), { recursive: true });
      await writeFile(join(root, 'cgroup.controllers'), 'cpuset cpu memory pids\n');
      const cgroup = (await createStepCgroup({ memory: 1 << 20, cpuQuota: 50_000, cpusetCpus: '0-1', pids: 64 }, root))!;
      const dir = dirname(cgroup.procsFiles[0]!);
      expect(dirname(dir)).toBe(join(root, own).replace(/\/$/, ''));
      expect(await readFile(join(root, own, 'cgroup.subtree_control'), 'utf8')).toBe('+memory +cpu +cpuset +pids');
      expect(await readFile(join(dir, 'memory.max'), 'utf8')).toBe(String(1 << 20));
      expect(await readFile(join(dir, 'cpu.max'), 'utf8')).toBe('50000 100000');
      expect(await readFile(join(dir, 'cpuset.cpus'), 'utf8')).toBe('0-1');
      expect(await readFile(join(dir, 'pids.max'), 'utf8')).toBe('64');
      await writeFile(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
      expect(await cgroup.oomKilled()).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!isRoot || !v1)('sandbox limits (cgroup v1)', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await createFixture();
  });
  afterAll(() => fx.cleanup());

  it('needs no cgroup when no limit is set', async () => {
    expect(await createStepCgroup({})).toBeUndefined();
  });

  it('writes the limits into a fresh cgroup per controller and removes it', async () => {
    const cgroup = (await createStepCgroup({ memory: 64 << 20, cpuQuota: 50_000, cpuPeriod: 100_000, cpusetCpus: '0', pids: 30 }))!;
    const dir = (controller: string): string => dirname(cgroup.procsFiles.find((f) => f.includes(`/${controller}/`))!);
    try {
      expect(cgroup.procsFiles).toHaveLength(4);
      expect((await readFile(join(dir('memory'), 'memory.limit_in_bytes'), 'utf8')).trim()).toBe(String(64 << 20));
      expect((await readFile(join(dir('cpu'), 'cpu.cfs_quota_us'), 'utf8')).trim()).toBe('50000');
      expect((await readFile(join(dir('cpu'), 'cpu.cfs_period_us'), 'utf8')).trim()).toBe('100000');
      expect((await readFile(join(dir('cpuset'), 'cpuset.cpus'), 'utf8')).trim()).toBe('0');
      expect((await readFile(join(dir('pids'), 'pids.max'), 'utf8')).trim()).toBe('30');
      expect(await cgroup.oomKilled()).toBe(false);
    } finally {
      await cgroup.remove();
    }
    for (const file of cgroup.procsFiles) expect(existsSync(dirname(file))).toBe(false);
  });

  it('reports a step killed for exceeding its memory limit', async () => {
    // awk doubles a string until the 32 MiB limit stops it; exec makes it the command itself.
    const run = await fx.sh(`exec awk 'BEGIN { s = "x"; while (1) s = s s }'`, { limits: { memory: 32 << 20 } });
    expect(run).toMatchObject({ exitCode: 137, signal: 'SIGKILL', oomKilled: true });
  });

  it('does not report an OOM kill for a step within its limit', async () => {
    const run = await fx.sh(`awk 'BEGIN { s = "x"; for (i = 0; i < 20; i++) s = s s }'`, { limits: { memory: 64 << 20 } });
    expect(run).toMatchObject({ exitCode: 0, oomKilled: false });
  });

  it('bounds a fork loop by the pids limit', async () => {
    // 60 background processes, each recorded by a builtin once its fork succeeded; bounded by
    // the loop itself, so a missing limit cannot take the machine down.
    const loop = 'for i in $(seq 60); do sleep 2 & echo $! >>/started; done';
    const started = async (upper: string): Promise<number> => (await readFile(join(upper, 'started'), 'utf8')).split('\n').filter(Boolean).length;
    const limited = await fx.sh(loop, { limits: { pids: 20 } });
    expect(limited.exitCode).not.toBe(0);
    expect(limited.stderr).toContain("can't fork");
    expect(await started(limited.upper)).toBeLessThan(20);
    const free = await fx.sh(loop);
    expect(free.exitCode).toBe(0);
    expect(await started(free.upper)).toBe(60);
  });

  it('confines the step to its cpuset', async () => {
    const run = await fx.sh('nproc; grep Cpus_allowed_list /proc/self/status', { limits: { cpusetCpus: '0' } });
    expect(run.stdout).toBe('1\nCpus_allowed_list:\t0\n');
  });

  it('throttles the step to its CPU quota', async () => {
    // A busy loop for 1 s of wall time gets ~0.2 s of CPU at a 20% quota.
    const run = await fx.sh('timeout 1 sh -c "while :; do :; done"; cat /proc/self/stat >/dev/null; times', {
      limits: { cpuQuota: 20_000, cpuPeriod: 100_000 },
    });
    const [user, sys] = run.stdout
      .trim()
      .split('\n')
      .pop()!
      .split(/\s+/)
      .map((t) => {
        const m = /(\d+)m([\d.]+)s/.exec(t)!;
        return Number(m[1]) * 60 + Number(m[2]);
      });
    expect(user! + sys!).toBeLessThan(0.5);
  });
});
