import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSandboxed, type SandboxResult, type SandboxSpec } from '../../src/executor/index.js';
import { busyboxRootfsDir } from '../helpers/busybox-rootfs.js';

export interface StepRun extends SandboxResult {
  stdout: string;
  stderr: string;
}

/** A busybox image plus a fresh upper/work pair per step, all under one temp dir. */
export interface Fixture {
  dir: string;
  lower: string;
  /**
   * Runs `script` with /bin/sh -c in a new step; `overrides` replace spec fields, and
   * `lowerdirs` the busybox image.
   */
  sh(script: string, overrides?: Partial<SandboxSpec> & { lowerdirs?: string[] }): Promise<StepRun & { upper: string }>;
  /** Compiles fixtures/<name>.c statically into the image's /bin. */
  installTool(name: string): void;
  cleanup(): Promise<void>;
}

export const isRoot = process.getuid?.() === 0;

export async function createFixture(): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), 'tsbuild-executor-test-'));
  const lower = join(dir, 'lower');
  await mkdir(lower);
  busyboxRootfsDir(lower);
  let steps = 0;
  return {
    dir,
    lower,
    async sh(script, { lowerdirs = [lower], ...overrides } = {}) {
      const step = join(dir, `step-${steps++}`);
      const upper = join(step, 'upper');
      const work = join(step, 'work');
      await mkdir(upper, { recursive: true });
      await mkdir(work);
      let stdout = '';
      let stderr = '';
      const result = await runSandboxed({
        rootfs: { lowerdirs, upperdir: upper, workdir: work },
        args: ['/bin/sh', '-c', script],
        env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'],
        cwd: '/',
        user: 'root',
        network: 'none',
        mounts: [],
        onOutput: (stream, data) => {
          if (stream === 'stdout') stdout += data.toString();
          else stderr += data.toString();
        },
        ...overrides,
      });
      return { ...result, stdout, stderr, upper };
    },
    installTool(name) {
      execFileSync('gcc', ['-static', '-O2', '-o', join(lower, 'bin', name), join(import.meta.dirname, 'fixtures', `${name}.c`)]);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
