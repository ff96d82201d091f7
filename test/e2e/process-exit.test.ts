// The CLI is a process a shell waits for: after a build it must exit by itself, whatever it
// started on the way (hash workers for large context files, stat caches, the store).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnv, repo, type E2eEnv } from './helpers.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await e2eEnv('e2e');
});
afterAll(() => env?.dispose());

describe('tsbuild build as a child process', () => {
  it('exits after a build that hashes a file larger than 64 KiB on the worker pool', () => {
    const context = join(env.work, 'big');
    mkdirSync(context);
    writeFileSync(join(context, 'big.bin'), randomBytes(300_000));
    writeFileSync(join(context, 'Dockerfile'), 'FROM busybox\nCOPY big.bin /big.bin\n');
    // Bounded wait: a process still alive after 45 s is killed and the test fails on its signal.
    const out = spawnSync(process.execPath, [join(repo, 'bin/tsbuild'), 'build', '-q', '-t', 'big:latest', context], {
      env: { ...process.env, TSBUILD_ROOT: env.root },
      encoding: 'utf8',
      timeout: 45_000,
      killSignal: 'SIGKILL',
    });
    expect(out.signal).toBeNull();
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
  });
});
