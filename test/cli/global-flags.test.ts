// `--root` may come before the command, as a global flag: `tsbuild --root DIR inspect x`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnv, repo, type E2eEnv } from '../e2e/helpers.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await e2eEnv('e2e');
});
afterAll(() => env?.dispose());

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TSBUILD_ROOT: join(env.work, 'not-the-store') };
  return spawnSync(process.execPath, [join(repo, 'bin/tsbuild'), ...args], { env: childEnv, encoding: 'utf8', input: '' });
}

describe('global flags before the command', () => {
  it('takes --root DIR and --root=DIR before the command name', () => {
    for (const flag of [['--root', env.root], [`--root=${env.root}`]]) {
      const out = cli([...flag, 'inspect', 'busybox']);
      expect(out.stderr).toBe('');
      expect(out.status).toBe(0);
      expect((JSON.parse(out.stdout) as [{ RepoTags: string[] }])[0].RepoTags).toEqual(['busybox:latest']);
    }
  });

  it('lets the flag after the command win, as the command reads both', () => {
    const out = cli(['--root', join(env.work, 'elsewhere'), 'inspect', '--root', env.root, 'busybox']);
    expect(out.status).toBe(0);
  });
});
