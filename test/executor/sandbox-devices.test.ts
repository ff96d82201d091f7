import { chmodSync, chownSync, lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, isRoot, type Fixture } from './fixture.js';

if (!isRoot) console.warn('skipping sandbox device tests: they need root for namespaces and mounts');

const probed = ['/dev/null', '/dev/zero'];

/** Mode, owner and inode of the host's nodes, which no step may change. */
function hostNodes(paths: string[]): Pick<Stats, 'mode' | 'uid' | 'gid' | 'ino' | 'rdev'>[] {
  return paths.map((path) => {
    const { mode, uid, gid, ino, rdev } = statSync(path);
    return { mode, uid, gid, ino, rdev };
  });
}

/** Changes the step's /dev/null and /dev/zero to `mode` and owner `uid` and lists them. */
const tamper = (mode: string, uid: number): string =>
  `chmod ${mode} ${probed.join(' ')} && chown ${uid}:${uid} ${probed.join(' ')} && ls -ln ${probed.join(' ')}`;

describe.skipIf(!isRoot)('sandbox /dev', () => {
  let fx: Fixture;
  const original = isRoot ? hostNodes(probed) : [];
  beforeAll(async () => {
    fx = await createFixture();
  });
  afterAll(() => fx.cleanup());
  // Should a step ever reach the host's nodes again, the machine keeps working nodes.
  afterEach(() => {
    probed.forEach((path, i) => {
      chownSync(path, original[i]!.uid, original[i]!.gid);
      chmodSync(path, original[i]!.mode & 0o7777);
    });
  });

  it('has working nodes of its own: chmod and chown in a step leave the host nodes alone', async () => {
    const before = hostNodes(probed);
    const run = await fx.sh(`head -c 4 /dev/zero | od -An -tx1; echo x >/dev/full 2>&1 || echo full-refused; ${tamper('600', 1000)}`);
    expect(run.stdout).toContain('00 00 00 00');
    expect(run.stdout).toContain('full-refused');
    // The step's own nodes changed ...
    expect(run.stdout).toMatch(/^crw------- +1 1000 +1000 +1, +3 .*\/dev\/null$/m);
    expect(run.stdout).toMatch(/^crw------- +1 1000 +1000 +1, +5 .*\/dev\/zero$/m);
    // ... and the host's did not.
    expect(hostNodes(probed)).toEqual(before);
  });

  it('opens no device node a step makes in /dev', async () => {
    const run = await fx.sh('mknod /dev/mem2 c 1 1 && head -c 1 /dev/mem2 >/dev/null 2>&1 && echo opened || echo refused');
    expect(run.stdout.trim()).toBe('refused');
  });

  it('gives --security=insecure fresh nodes for the host devices, not the host devtmpfs', async () => {
    const hostDevices = readdirSync('/dev').filter((name) => {
      const st = lstatSync(`/dev/${name}`);
      return (st.isCharacterDevice() || st.isBlockDevice()) && name !== 'console' && name !== 'ptmx';
    });
    const before = hostNodes(probed);
    const run = await fx.sh(`ls /dev | tr "\\n" " "; echo; ${tamper('640', 1001)}; head -c 2 /dev/zero | od -An -tx1`, {
      security: 'insecure',
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout.split('\n')[0]!.trim().split(' ')).toEqual(expect.arrayContaining(hostDevices));
    expect(run.stdout).toMatch(/^crw-r----- +1 1001 +1001 +1, +5 .*\/dev\/zero$/m);
    expect(run.stdout).toContain('00 00');
    expect(hostNodes(probed)).toEqual(before);
  });
});
