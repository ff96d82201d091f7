import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerArgs, mergeEnv, runImage } from '../../src/executor/index.js';
import { createFixture, isRoot, type Fixture } from './fixture.js';

describe('container argv', () => {
  it('appends CMD to ENTRYPOINT', () => {
    expect(containerArgs({ Entrypoint: ['ep', '-x'], Cmd: ['a'] })).toEqual(['ep', '-x', 'a']);
  });

  it('replaces CMD with the given command', () => {
    expect(containerArgs({ Entrypoint: ['ep'], Cmd: ['a'] }, ['b', 'c'])).toEqual(['ep', 'b', 'c']);
  });

  it('drops the image CMD when the entrypoint is overridden, and clears it with []', () => {
    expect(containerArgs({ Entrypoint: ['ep'], Cmd: ['a'] }, undefined, ['other'])).toEqual(['other']);
    expect(containerArgs({ Entrypoint: ['ep'], Cmd: ['a'] }, ['sh'], [])).toEqual(['sh']);
  });

  it('fails without ENTRYPOINT, CMD or command', () => {
    expect(() => containerArgs({ Entrypoint: null, Cmd: null })).toThrow('the image has no ENTRYPOINT or CMD');
  });
});

describe('env merging', () => {
  it('lets later entries replace earlier ones by name', () => {
    expect(mergeEnv(['PATH=/bin', 'A=1'], ['A=2', 'B=3'])).toEqual(['PATH=/bin', 'A=2', 'B=3']);
  });
});

if (!isRoot) console.warn('skipping run-image sandbox tests: they need root for namespaces and mounts');

describe.skipIf(!isRoot)('running an image', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await createFixture();
  });
  afterAll(() => fx.cleanup());

  it('uses the config’s ENTRYPOINT, CMD, Env, USER and WORKDIR and discards its changes', async () => {
    let stdout = '';
    const scratchDir = join(fx.dir, 'run-scratch');
    await mkdir(scratchDir);
    const result = await runImage({
      config: {
        Entrypoint: ['/bin/sh', '-c', 'touch /tmp/mark; echo "$0 $GREETING $(id -un) $(pwd) $PATH"'],
        Cmd: ['from-cmd'],
        Env: ['GREETING=hello'],
        User: 'app',
        WorkingDir: '/tmp',
      },
      rootfs: { lowerdirs: [fx.lower] },
      scratchDir,
      env: ['GREETING=hi'],
      onOutput: (_stream, data) => (stdout += data.toString()),
    });
    expect(result.exitCode).toBe(0);
    expect(stdout).toBe('from-cmd hi app /tmp /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
    expect(await readdir(scratchDir)).toEqual([]);
  });

  it('runs -u app with the groups docker run gives: groups=1000(app)', async () => {
    let stdout = '';
    const result = await runImage({
      config: { Cmd: ['id'] },
      rootfs: { lowerdirs: [fx.lower] },
      user: 'app',
      onOutput: (_stream, data) => (stdout += data.toString()),
    });
    expect(result.exitCode).toBe(0);
    expect(stdout).toBe('uid=1000(app) gid=1000(app) groups=1000(app)\n');
  });

  it('returns the container’s exit code', async () => {
    const result = await runImage({ config: { Cmd: ['/bin/sh', '-c', 'exit 3'] }, rootfs: { lowerdirs: [fx.lower] } });
    expect(result.exitCode).toBe(3);
  });
});
