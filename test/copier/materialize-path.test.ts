import { lstatSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { materializePath, resolveOwner } from '../../src/copier/index.js';
import { materialize } from './fixtures.js';
import { scratchDir } from './helpers.js';

const work = scratchDir('workdir');
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function stage(name: string): Promise<{ parent: string; out: string }> {
  const parent = join(work, name, 'parent');
  await materialize(parent, [
    { path: '/srv', type: 'dir', mode: 0o750 },
    { path: '/etc/passwd', type: 'file', content: 'root:x:0:0::/:/bin/sh\nsvc:x:1500:1600::/:/bin/sh\n' },
  ]);
  const out = join(work, name, 'out');
  mkdirSync(out, { recursive: true });
  return { parent, out };
}

describe('materializePath (WORKDIR)', () => {
  it('creates missing dirs owned by the user and copies existing parents unchanged', async () => {
    const { parent, out } = await stage('create');
    await materializePath({ outDir: out, parentRoot: parent, path: '/srv/app/data', owner: await resolveOwner(parent, 'svc') });
    expect(lstatSync(join(out, 'srv')).mode & 0o7777).toBe(0o750);
    expect(lstatSync(join(out, 'srv')).uid).toBe(0);
    const created = lstatSync(join(out, 'srv/app/data'));
    expect([created.mode & 0o7777, created.uid, created.gid]).toEqual([0o755, 1500, 1600]);
  });

  it('leaves the layer empty when the directory already exists, even through a symlink', async () => {
    const { parent, out } = await stage('exists');
    symlinkSync('/srv', join(parent, 'link'));
    await materializePath({ outDir: out, parentRoot: parent, path: '/link', owner: { uid: 0, gid: 0 } });
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('resolveOwner', () => {
  it('gives a numeric user its own id as group, and a named user its primary group', async () => {
    const { parent } = await stage('owner');
    expect(await resolveOwner(parent, '42')).toEqual({ uid: 42, gid: 42 });
    expect(await resolveOwner(parent, 'svc')).toEqual({ uid: 1500, gid: 1600 });
    expect(await resolveOwner(parent, 'svc:7')).toEqual({ uid: 1500, gid: 7 });
    expect(await resolveOwner(null, undefined)).toEqual({ uid: 0, gid: 0 });
  });

  it('fails naming the user when the stage has no such user or no passwd file', async () => {
    const { parent } = await stage('missing');
    await expect(resolveOwner(parent, 'ghost')).rejects.toThrow(/unable to find user ghost/);
    await expect(resolveOwner(null, 'app')).rejects.toThrow(/FROM scratch/);
  });
});
