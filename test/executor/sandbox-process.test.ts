import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxError } from '../../src/executor/index.js';
import { createFixture, isRoot, type Fixture } from './fixture.js';

if (!isRoot) console.warn('skipping sandbox process tests: they need root for namespaces and mounts');

/** Pids of processes running exactly `sleep <seconds>`. */
async function sleepers(seconds: string): Promise<number[]> {
  const pids: number[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline === `sleep\0${seconds}\0`) pids.push(Number(pid));
  }
  return pids;
}

/** The topmost tsbuild-init above `pid`: killing it takes the whole sandbox down. */
async function outermostInit(pid: number): Promise<number> {
  let top = pid;
  for (;;) {
    const stat = await readFile(`/proc/${top}/stat`, 'utf8');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const cmdline = await readFile(`/proc/${parent}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes('tsbuild-init')) return top;
    top = parent;
  }
}

describe.skipIf(!isRoot)('sandbox process', () => {
  let fx: Fixture;
  let groupsLayer: string;
  beforeAll(async () => {
    fx = await createFixture();
    // A layer above busybox whose /etc/group gives app two supplementary groups.
    groupsLayer = join(fx.dir, 'groups-layer');
    await mkdir(join(groupsLayer, 'etc'), { recursive: true });
    await writeFile(join(groupsLayer, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\nwheel:x:10:root,app\nstaff:x:50:app\n');
  });
  afterAll(() => fx.cleanup());

  it('passes argv and env exactly, without a shell', async () => {
    const run = await fx.sh('', {
      args: ['printf', '[%s]', 'a  b', '$HOME', '*', ''],
      env: ['PATH=/bin', 'EMPTY=', 'SPACED=x  y'],
    });
    expect(run.stdout).toBe('[a  b][$HOME][*][]');
    const env = await fx.sh('', { args: ['env'], env: ['PATH=/bin', 'EMPTY=', 'SPACED=x  y'] });
    expect(env.stdout.split('\n').filter(Boolean).sort()).toEqual(['EMPTY=', 'HOME=/root', 'PATH=/bin', 'SPACED=x  y']);
  });

  it('looks the command up in the PATH of the step’s env', async () => {
    const run = await fx.sh('', { args: ['hostname'], env: ['PATH=/nowhere:/bin'] });
    expect(run.stdout).toBe('buildkitsandbox\n');
  });

  it('reports a missing executable as a sandbox error', async () => {
    await expect(fx.sh('', { args: ['no-such-tool'] })).rejects.toThrow(/no-such-tool: executable file not found in \$PATH/);
  });

  it('runs in the working directory, creating it for the user when missing', async () => {
    const run = await fx.sh('pwd; stat -c %U /work/here', { cwd: '/work/here', user: 'app' });
    expect(run.stdout).toBe('/work/here\napp\n');
  });

  it('runs USER app as uid 1000 with its groups, its primary group among them, and home', async () => {
    const run = await fx.sh('id; echo $HOME', { lowerdirs: [groupsLayer, fx.lower], user: 'app' });
    expect(run.stdout).toBe('uid=1000(app) gid=1000(app) groups=10(wheel),50(staff),1000(app)\n/home/app\n');
  });

  it('takes a uid with a group name, and a uid missing from /etc/passwd', async () => {
    // An explicit group replaces the supplementary groups: only the primary one is left.
    expect((await fx.sh('id', { user: '1000:nogroup', lowerdirs: [groupsLayer, fx.lower] })).stdout).toBe(
      'uid=1000(app) gid=65534(nogroup) groups=65534(nogroup)\n',
    );
    expect((await fx.sh('id; echo $HOME', { user: '4242' })).stdout).toBe('uid=4242 gid=0(root) groups=0(root)\n/\n');
    expect((await fx.sh('id -u; id -g', { user: 'app:77' })).stdout).toBe('1000\n77\n');
  });

  it('runs without USER as 0:0 with only group 0, like current BuildKit (ensureAdditionalGids) and docker run', async () => {
    const run = await fx.sh('id; echo $HOME', { user: '', lowerdirs: [groupsLayer, fx.lower] });
    expect(run.stdout).toBe('uid=0(root) gid=0(root) groups=0(root)\n/root\n');
    const named = await fx.sh('id', { user: 'root', lowerdirs: [groupsLayer, fx.lower] });
    expect(named.stdout).toBe('uid=0(root) gid=0(root) groups=0(root),10(wheel)\n');
  });

  it('drops every capability for a non-root user', async () => {
    const run = await fx.sh('grep -E "^Cap(Prm|Eff)" /proc/self/status', { user: 'app' });
    expect(run.stdout).toBe('CapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n');
  });

  it('fails clearly on an unknown user or group', async () => {
    const unknownUser = fx.sh('id', { user: 'ghost' });
    await expect(unknownUser).rejects.toBeInstanceOf(SandboxError);
    await expect(unknownUser).rejects.toThrow('unable to find user ghost: no matching entries in passwd file');
    await expect(fx.sh('id', { user: 'app:ghosts' })).rejects.toThrow('unable to find group ghosts: no matching entries in group file');
  });

  it('streams stdout and stderr separately while the command runs', async () => {
    const chunks: { stream: string; at: number }[] = [];
    const started = Date.now();
    const run = await fx.sh('echo out; echo err >&2; sleep 1; echo late', {
      onOutput: (stream, data) => chunks.push({ stream, at: Date.now() - started, ...{ text: data.toString() } }),
    });
    expect(run.exitCode).toBe(0);
    const first = chunks.find((c) => c.stream === 'stderr')!;
    expect(first.at).toBeLessThan(Date.now() - started - 500);
    expect(chunks.map((c) => c.stream)).toContain('stdout');
  });

  it('propagates the exit code', async () => {
    const run = await fx.sh('exit 42');
    expect(run).toMatchObject({ exitCode: 42, oomKilled: false });
    expect(run.signal).toBeUndefined();
    expect((await fx.sh('true')).exitCode).toBe(0);
  });

  it('reports a command killed by a signal as 128 + signal', async () => {
    expect(await fx.sh('kill -TERM $$')).toMatchObject({ exitCode: 143, signal: 'SIGTERM' });
    expect(await fx.sh('kill -KILL $$')).toMatchObject({ exitCode: 137, signal: 'SIGKILL' });
  });

  it('forwards signals that PID 1 receives to the command', async () => {
    const run = await fx.sh('trap "echo terminated; exit 7" TERM; kill -TERM 1; sleep 5 & wait');
    expect(run).toMatchObject({ exitCode: 7, stdout: 'terminated\n' });
  });

  it('reaps orphaned children so that no zombie accumulates', async () => {
    const run = await fx.sh('for i in 1 2 3 4 5 6 7 8 9 10; do sh -c "sleep 0.1 & exit 0"; done; sleep 0.6; ps -o stat,comm | grep -c "^Z" || true');
    expect(run.stdout.trim()).toBe('0');
  });

  it('ends when the command does, killing what it left in the background', async () => {
    const started = Date.now();
    const run = await fx.sh('sleep 1000 & sleep 1000 & echo started');
    expect(run).toMatchObject({ exitCode: 0, stdout: 'started\n' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('dies with the build process when that is killed', async () => {
    const seconds = String(40_000 + Math.floor(Math.random() * 10_000));
    // The killed process cannot clean up after itself; its temp dirs all go under this one.
    const tmp = await mkdtemp(join(tmpdir(), 'tsbuild-killed-build-'));
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/run-until-killed.ts'), seconds], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TMPDIR: tmp },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      while (!out.includes('started\n')) await sleep(50);
      expect(await sleepers(seconds)).toHaveLength(1);
      child.kill('SIGKILL');
      let left = await sleepers(seconds);
      for (let i = 0; i < 100 && left.length > 0; i++) {
        await sleep(50);
        left = await sleepers(seconds);
      }
      expect(left).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      // On failure the sandbox outlived the build: kill it through its outermost init.
      for (const pid of await sleepers(seconds)) process.kill(await outermostInit(pid), 'SIGKILL');
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('kills the sandbox and rejects when the step is aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('step cancelled')), 300);
    await expect(fx.sh('sleep 1000', { signal: controller.signal })).rejects.toThrow('step cancelled');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
