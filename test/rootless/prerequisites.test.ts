// What rootless mode needs, checked against stand-in files: the real sysctls and /etc/subuid
// are shared with everything else on the machine and are not changed by tests.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkRootless, freeRange } from '../../src/rootless/prerequisites.js';
import { subordinateRange } from '../../src/rootless/subids.js';

describe('rootless prerequisites', () => {
  let dir: string;
  const { username: user, uid } = userInfo();
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return path;
  };
  const inputs = (over: Partial<Parameters<typeof checkRootless>[0]> = {}) => ({
    subuid: write('subuid', `${user}:200000:65536\n`),
    subgid: write('subgid', `${uid}:300000:65536\n`),
    programDirs: ['/usr/bin'],
    sysctl: join(dir, 'sys'),
    ...over,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsbuild-prereq-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds ranges by user name or uid', () => {
    const check = checkRootless(inputs());
    expect(check.problems).toEqual([]);
    expect(check.setup).toMatchObject({ user, uid, subuid: { start: 200000, count: 65536 }, subgid: { start: 300000, count: 65536 } });
  });

  it('names usermod with a free range when the user has no subordinate ids', () => {
    const subuid = write('subuid-none', 'someone:100000:65536\n');
    const subgid = write('subgid-none', '');
    const check = checkRootless(inputs({ subuid, subgid }));
    expect(check.setup).toBeUndefined();
    expect(check.problems).toEqual([
      `user ${user} has no subordinate ids in ${subuid} and ${subgid}: as root, run usermod --add-subuids 165536-231071 --add-subgids 165536-231071 ${user}`,
    ]);
    expect(freeRange([write('empty', '')])).toBe('100000-165535');
  });

  it('ignores malformed and empty ranges', () => {
    const file = write('bad', `${user}:x:65536\n${user}:100000:0\n# comment\n${user}:400000:10\n`);
    expect(subordinateRange(file, user, uid)).toEqual({ start: 400000, count: 10 });
    expect(subordinateRange(join(dir, 'missing'), user, uid)).toBeUndefined();
  });

  it('names the missing newuidmap and its package', () => {
    const check = checkRootless(inputs({ programDirs: [join(dir, 'no-programs-here')] }));
    expect(check.setup).toBeUndefined();
    expect(check.problems).toEqual(['newuidmap is not installed: as root, run apt-get install uidmap']);
  });

  it('names the sysctl that disables user namespaces', () => {
    write('sys/user/max_user_namespaces', '0\n');
    expect(checkRootless(inputs()).problems).toEqual([
      'user namespaces are disabled (user.max_user_namespaces = 0): as root, run sysctl -w user.max_user_namespaces=28633',
    ]);
    write('sys/user/max_user_namespaces', '15000\n');
    write('sys/kernel/unprivileged_userns_clone', '0\n');
    expect(checkRootless(inputs()).problems).toEqual([
      'user namespaces are disabled for unprivileged users (kernel.unprivileged_userns_clone = 0): as root, run sysctl -w kernel.unprivileged_userns_clone=1',
    ]);
  });
});
