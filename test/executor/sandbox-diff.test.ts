import { lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, isRoot, type Fixture } from './fixture.js';

if (!isRoot) console.warn('skipping sandbox diff tests: they need root for namespaces and mounts');

/** Every path in a directory tree, relative and sorted. */
async function tree(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = join(prefix, entry.name);
    out.push(rel);
    if (entry.isDirectory()) out.push(...(await tree(dir, rel)));
  }
  return out.sort();
}

describe.skipIf(!isRoot)('sandbox diff', () => {
  let fx: Fixture;
  let dataLayer: string;
  beforeAll(async () => {
    fx = await createFixture();
    dataLayer = join(fx.dir, 'data-layer');
    await mkdir(join(dataLayer, 'data/sub'), { recursive: true });
    await writeFile(join(dataLayer, 'data/keep'), 'k');
    await writeFile(join(dataLayer, 'data/sub/old'), 'o');
  });
  afterAll(() => fx.cleanup());

  it('leaves an empty upper dir for a step that changes nothing', async () => {
    const run = await fx.sh('cat /etc/hosts /etc/resolv.conf /etc/hostname >/dev/null; ls /proc /sys /dev >/dev/null');
    expect(run.exitCode).toBe(0);
    expect(await tree(run.upper)).toEqual([]);
  });

  it('keeps the command’s own changes and none of the mount points', async () => {
    const run = await fx.sh('echo new > /etc/motd; mkdir -p /opt/app; echo x > /opt/app/f');
    expect(await tree(run.upper)).toEqual(['etc', 'etc/motd', 'opt', 'opt/app', 'opt/app/f']);
  });

  it('turns deletions into 0/0 character devices', async () => {
    const run = await fx.sh('rm /data/keep /bin/vi', { lowerdirs: [dataLayer, fx.lower] });
    for (const path of ['data/keep', 'bin/vi']) {
      const info = await lstat(join(run.upper, path));
      expect(info.isCharacterDevice()).toBe(true);
      expect(info.rdev).toBe(0);
    }
  });

  it('makes a removed and recreated directory opaque', async () => {
    const run = await fx.sh('rm -rf /data && mkdir /data && echo fresh > /data/new', { lowerdirs: [dataLayer, fx.lower] });
    expect(await tree(run.upper)).toEqual(['data', 'data/new']);
    // Opaque means that, stacked as the next step's layer, it hides the old /data entirely.
    const next = await fx.sh('ls -A /data', { lowerdirs: [run.upper, dataLayer, fx.lower] });
    expect(next.stdout).toBe('new\n');
  });

  it('keeps /etc with the command’s deletions although the setup copied /etc up too', async () => {
    const run = await fx.sh('rm -rf /etc/* 2>/dev/null; rm -f /etc/passwd /etc/group; ls /etc');
    expect(run.stdout.split('\n').filter(Boolean).sort()).toEqual(['hostname', 'hosts', 'resolv.conf']);
    const entries = await tree(run.upper);
    expect(entries).toEqual(['etc', 'etc/group', 'etc/passwd']);
  });

  it('keeps a created directory the command filled next to a mount point', async () => {
    const run = await fx.sh('echo hi > /run/note', { mounts: [{ type: 'tmpfs', target: '/run/scratch' }] });
    expect(await tree(run.upper)).toEqual(['run', 'run/note']);
  });

  it('stacks lowerdirs given relative to mountCwd, topmost first', async () => {
    await mkdir(join(fx.dir, 'rel/upper'), { recursive: true });
    await mkdir(join(fx.dir, 'rel/work'));
    const rootfs = { lowerdirs: ['data-layer', 'lower'], upperdir: 'rel/upper', workdir: 'rel/work', mountCwd: fx.dir };
    const run = await fx.sh('cat /data/keep; echo changed > /data/keep', { rootfs });
    expect(run.stdout).toBe('k');
    expect(await tree(join(fx.dir, 'rel/upper'))).toEqual(['data', 'data/keep']);
  });

  it('binds over /etc files and mount points an image already has without copying anything up', async () => {
    const full = join(fx.dir, 'full-layer');
    await mkdir(join(full, 'etc'), { recursive: true });
    await Promise.all(['proc', 'sys', 'dev', 'run/secrets'].map((d) => mkdir(join(full, d), { recursive: true })));
    await Promise.all(['hosts', 'resolv.conf', 'hostname'].map((f) => writeFile(join(full, 'etc', f), 'image\n')));
    await writeFile(join(full, 'run/secrets/token'), '');
    const run = await fx.sh('cat /etc/hostname /run/secrets/token', {
      lowerdirs: [full, fx.lower],
      mounts: [{ type: 'secret', target: '/run/secrets/token', content: Buffer.from('t'), mode: 0o400, uid: 0, gid: 0 }],
    });
    expect(run.stdout).toBe('buildkitsandbox\nt');
    expect(await tree(run.upper)).toEqual([]);
  });

  it('runs FROM scratch and leaves no trace of the mount points it needed', async () => {
    const run = await fx.sh('', {
      lowerdirs: [],
      user: '',
      args: ['/bin/busybox', 'sh', '-c', 'busybox ls /'],
      mounts: [{ type: 'bind', source: join(fx.lower, 'bin'), target: '/bin', readonly: true }],
    });
    expect(run.stdout.split('\n').filter(Boolean)).toEqual(['bin', 'dev', 'etc', 'proc', 'sys']);
    expect(await tree(run.upper)).toEqual([]);
  });

  it('keeps what a reused upper dir already held next to the mount points', async () => {
    const upper = join(fx.dir, 'reused/upper');
    await mkdir(join(upper, 'etc'), { recursive: true });
    await writeFile(join(upper, 'etc/motd'), 'earlier\n');
    await mkdir(join(fx.dir, 'reused/work'));
    const run = await fx.sh('cat /etc/motd', { rootfs: { lowerdirs: [fx.lower], upperdir: upper, workdir: join(fx.dir, 'reused/work') } });
    expect(run.stdout).toBe('earlier\n');
    expect(await tree(upper)).toEqual(['etc', 'etc/motd']);
  });

  it('leaves no trace of /proc, /dev and /sys created for an image without them', async () => {
    const run = await fx.sh('test -d /proc/self && test -c /dev/null && test -d /sys/kernel && echo ok');
    expect(run.stdout).toBe('ok\n');
    expect(await tree(run.upper)).toEqual([]);
  });
});
