// What a RUN step or `tsbuild run` must not reach or exhaust on the host: the caller's open
// fds, the host's device nodes, user namespaces (seccomp), and processes beyond --pids-limit.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnv, repo, tsbuild, type E2eEnv } from './helpers.js';

const isRoot = process.getuid?.() === 0;

let env: E2eEnv;
let hostDir: string;
beforeAll(async () => {
  if (!isRoot) return;
  env = await e2eEnv('mounts');
  hostDir = mkdtempSync(join(tmpdir(), 'tsbuild-fd-canary-'));
  writeFileSync(join(hostDir, 'canary'), 'host-canary-text\n');
});
afterAll(() => {
  env?.dispose();
  if (hostDir) rmSync(hostDir, { recursive: true, force: true });
});

/** Runs the CLI from a shell that first opens the host directory on fd 50, without close-on-exec. */
function tsbuildWithFd50(args: string[]): { status: number; output: string } {
  const cli = join(repo, 'bin/tsbuild');
  const quoted = [process.execPath, cli, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const out = spawnSync('bash', ['-c', `exec 50<'${hostDir}'; ls /proc/self/fd/50/canary >/dev/null && exec ${quoted}`], {
    env: { ...process.env, TSBUILD_ROOT: env.root },
    encoding: 'utf8',
  });
  return { status: out.status ?? -1, output: out.stdout + out.stderr };
}

describe.skipIf(!isRoot)('fds of the caller', () => {
  const probe = 'ls /proc/self/fd | tr "\\n" " "; echo; cat /proc/self/fd/50/canary 2>&1 || echo fd50-unreadable';

  it('do not reach a RUN step', () => {
    const file = join(env.work, 'Dockerfile.fds');
    writeFileSync(file, `FROM busybox:latest\nRUN ${probe}\n`);
    const out = tsbuildWithFd50(['build', '--no-cache', '--progress=plain', '-f', file, env.context]);
    expect(out.status).toBe(0);
    expect(out.output).toContain('fd50-unreadable');
    expect(out.output).not.toContain('host-canary-text');
    // The step sees its stdio and the fd ls itself opened, nothing else.
    expect(out.output).toMatch(/^#\d+ (?:\d+\.\d+ )?0 1 2 3 $/m);
  });

  it('do not reach tsbuild run', () => {
    const out = tsbuildWithFd50(['run', 'busybox:latest', 'sh', '-c', probe]);
    expect(out.status).toBe(0);
    expect(out.output).toContain('fd50-unreadable');
    expect(out.output).not.toContain('host-canary-text');
    expect(out.output.split('\n')[0]).toBe('0 1 2 3 ');
  });
});

describe.skipIf(!isRoot)("the host's device nodes", () => {
  const nodes = ['/dev/null', '/dev/zero'];
  const original = isRoot ? nodes.map((n) => statSync(n)) : [];
  const snapshot = (): string[] =>
    nodes.map((n) => {
      const st = statSync(n);
      return `${st.mode} ${st.uid} ${st.gid} ${st.ino}`;
    });
  // Should a step ever reach them again, the machine keeps working nodes.
  afterAll(() => {
    nodes.forEach((n, i) => {
      chownSync(n, original[i]!.uid, original[i]!.gid);
      chmodSync(n, original[i]!.mode & 0o7777);
    });
  });

  it('keep their mode and owner after a RUN step chmods and chowns /dev/null and /dev/zero', () => {
    const before = snapshot();
    const file = join(env.work, 'Dockerfile.dev');
    const tamper = 'chmod 600 /dev/zero /dev/null && chown 1000:1000 /dev/zero /dev/null && ls -ln /dev/zero';
    writeFileSync(file, `FROM busybox:latest\nRUN ${tamper}\nRUN --security=insecure ${tamper}\n`);
    const out = tsbuild(['build', '--no-cache', '--progress=plain', '--allow', 'security.insecure', '-f', file, env.context], { root: env.root });
    expect(out.status).toBe(0);
    expect(out.stderr.match(/^#\d+ (?:\d+\.\d+ )?crw------- +1 1000 +1000 +1, +5 .*\/dev\/zero$/gm)).toHaveLength(2);
    expect(snapshot()).toEqual(before);
  });
});

describe.skipIf(!isRoot)('seccomp', () => {
  it('refuses a user namespace to tsbuild run', () => {
    const out = tsbuild(['run', 'busybox:latest', 'unshare', '-U', 'true'], { root: env.root });
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain('Operation not permitted');
  });
});

describe.skipIf(!isRoot)('--pids-limit', () => {
  // Bounded by the loop itself, so a missing limit cannot take the machine down.
  const loop = 'for i in $(seq 60); do sleep 2 & done; echo all-forked';

  it('bounds the processes of a RUN step', () => {
    const file = join(env.work, 'Dockerfile.pids');
    writeFileSync(file, `FROM busybox:latest\nRUN ${loop}\n`);
    const limited = tsbuild(['build', '--no-cache', '--progress=plain', '--pids-limit', '20', '-f', file, env.context], { root: env.root });
    expect(limited.status).toBe(1);
    expect(limited.stderr).toContain("can't fork");
    expect(limited.stderr).not.toMatch(/^#\d+ (?:\d+\.\d+ )?all-forked$/m); // the output, not the RUN line
    const free = tsbuild(['build', '--no-cache', '--progress=plain', '--pids-limit=-1', '-f', file, env.context], { root: env.root });
    expect(free.status).toBe(0);
    expect(free.stderr).toMatch(/^#\d+ (?:\d+\.\d+ )?all-forked$/m);
  });

  it('bounds the processes of tsbuild run', () => {
    const limited = tsbuild(['run', '--pids-limit', '20', 'busybox:latest', 'sh', '-c', loop], { root: env.root });
    expect(limited.status).not.toBe(0);
    expect(limited.stderr).toContain("can't fork");
    expect(limited.stdout).not.toContain('all-forked');
  });

  it('refuses a value that is not a count', () => {
    const out = tsbuild(['run', '--pids-limit', 'lots', 'busybox:latest', 'true'], { root: env.root });
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('--pids-limit "lots" must be a whole number');
  });
});
