// A SIGKILL never wedges upkeep: views left mounted, step scratch dirs and step cgroups of a
// killed build are cleared by fsck and prune; sharing=locked cache mounts are exclusive
// across processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountsUnder } from '../../src/store/stale.js';
import { e2eEnv, repo, tsbuild, type E2eEnv } from './helpers.js';

function start(args: string[], root: string): { child: ChildProcess; output: () => string; done: Promise<number | null> } {
  const child = spawn(process.execPath, [join(repo, 'bin/tsbuild'), ...args], {
    env: { ...process.env, TSBUILD_ROOT: root },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => out, done };
}

/** Polls `ready` every 10 ms, at most `tries` times. */
async function waitFor(ready: () => boolean, tries = 3000): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (ready()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

describe('after a SIGKILL', () => {
  let env: E2eEnv;
  beforeAll(async () => {
    env = await e2eEnv('kill');
    // Enough to copy that the COPY is still running when the kill lands.
    for (let i = 0; i < 2000; i++) writeFileSync(join(env.context, `f${i}`), String(i));
    writeFileSync(join(env.context, 'big'), randomBytes(96 << 20));
  }, 120_000);
  afterAll(() => env?.dispose());

  it('fsck and prune clear a view left mounted during COPY', async () => {
    const build = start(['build', '--progress', 'plain', env.context], env.root);
    const mounted = await waitFor(() => build.output().includes('COPY') && mountsUnder(env.root).length > 0);
    build.child.kill('SIGKILL');
    await build.done;
    expect(mounted).toBe(true);
    expect(mountsUnder(env.root).length).toBeGreaterThan(0); // the kernel kept the view

    const fsck = tsbuild(['fsck'], { root: env.root });
    expect(fsck.stderr).not.toMatch(/internal error|EBUSY/);
    expect(fsck.status).toBe(0);
    expect(mountsUnder(env.root)).toEqual([]);
    const prune = tsbuild(['prune', '--all'], { root: env.root });
    expect(prune.status).toBe(0);
    expect(readdirSync(join(env.root, 'trash'))).toEqual([]);
    // And the store still builds.
    expect(tsbuild(['build', '-q', env.context], { root: env.root }).status).toBe(0);
  }, 120_000);

  it('fsck removes the step scratch dir and the step cgroup of a killed RUN', async () => {
    const dockerfile = join(env.work, 'Dockerfile.sleep');
    writeFileSync(dockerfile, `FROM busybox\nRUN echo started-${Date.now()} && sleep 30\n`);
    const scratchBefore = new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('tsbuild-step-')));
    const build = start(['build', '--progress', 'plain', '--memory', '256m', '-f', dockerfile, env.work], env.root);
    const newScratch = () => readdirSync(tmpdir()).filter((n) => n.startsWith('tsbuild-step-') && !scratchBefore.has(n));
    expect(await waitFor(() => /started-\d+/.test(build.output()) && newScratch().length > 0)).toBe(true);
    const scratch = newScratch();
    const cgroups = stepCgroups(build.child.pid!);
    build.child.kill('SIGKILL');
    await build.done;
    // The step's own processes go with their parent (PR_SET_PDEATHSIG); wait for them to leave.
    await waitFor(() => cgroups.every((dir) => !existsSync(dir) || readFileSync(join(dir, 'cgroup.procs'), 'utf8') === ''));
    expect(scratch.every((n) => existsSync(join(tmpdir(), n)))).toBe(true);

    const fsck = tsbuild(['fsck'], { root: env.root });
    expect(fsck.status).toBe(0);
    for (const n of scratch) expect(existsSync(join(tmpdir(), n))).toBe(false);
    for (const dir of cgroups) expect(existsSync(dir)).toBe(false);
  }, 120_000);

  it('holds a sharing=locked cache mount in one process at a time', async () => {
    const step =
      'RUN --mount=type=cache,id=shared-lock,sharing=locked,target=/c sh -c ' +
      '\'if [ -e /c/busy ]; then echo OVER""LAP; fi; touch /c/busy; sleep 2; rm /c/busy; echo free\'';
    const runs = ['a', 'b'].map((tag) => {
      const dir = join(env.work, `lock-${tag}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'Dockerfile'), `FROM busybox\nRUN echo ${tag}\n${step}\n`);
      return start(['build', '--progress', 'plain', dir], env.root);
    });
    const codes = await Promise.all(runs.map((r) => r.done));
    expect(codes).toEqual([0, 0]);
    for (const r of runs) {
      expect(r.output()).toMatch(/^#\d+ (?:\d+\.\d+ )?free$/m);
      expect(r.output()).not.toMatch(/^#\d+ (?:\d+\.\d+ )?OVERLAP$/m);
    }
  }, 120_000);
});

/** Step cgroups (`tsbuild-<pid>-…`) of build process `pid`, found under the cgroup2 root or v1 memory. */
function stepCgroups(pid: number): string[] {
  const found: string[] = [];
  const visit = (dir: string, depth: number): void => {
    if (depth > 8 || !existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      if (e.name.startsWith(`tsbuild-${pid}-`)) found.push(join(dir, e.name));
      else visit(join(dir, e.name), depth + 1);
    }
  };
  visit('/sys/fs/cgroup', 0);
  return found;
}
