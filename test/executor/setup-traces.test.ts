import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeSetupTraces } from '../../src/executor/setup-traces.js';

describe('removing setup traces from the upper dir', () => {
  let upper: string;
  beforeEach(async () => {
    upper = await mkdtemp(join(tmpdir(), 'tsbuild-traces-'));
  });
  afterEach(() => rm(upper, { recursive: true, force: true }));

  it('removes created mount points and the parents that stayed empty', async () => {
    await mkdir(join(upper, 'run/secrets'), { recursive: true });
    await writeFile(join(upper, 'run/secrets/token'), '');
    await removeSetupTraces(upper, { created: ['/run', '/run/secrets', '/run/secrets/token'], copyups: [] });
    expect(await readdir(upper)).toEqual([]);
  });

  it('keeps a created parent the command wrote into', async () => {
    await mkdir(join(upper, 'run/cache'), { recursive: true });
    await writeFile(join(upper, 'run/pid'), '1');
    await removeSetupTraces(upper, { created: ['/run', '/run/cache'], copyups: [] });
    expect(await readdir(join(upper, 'run'))).toEqual(['pid']);
  });

  it('removes an unchanged copy-up but keeps one whose mode the command changed', async () => {
    await mkdir(join(upper, 'etc'));
    await mkdir(join(upper, 'usr'));
    await chmod(join(upper, 'etc'), 0o755);
    await chmod(join(upper, 'usr'), 0o700);
    await removeSetupTraces(upper, {
      created: [],
      copyups: [
        { path: '/etc', mode: 0o755, uid: process.getuid!(), gid: process.getgid!() },
        { path: '/usr', mode: 0o755, uid: process.getuid!(), gid: process.getgid!() },
      ],
    });
    expect(await readdir(upper)).toEqual(['usr']);
  });
});
