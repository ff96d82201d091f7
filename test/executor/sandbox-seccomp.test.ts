import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, isRoot, type Fixture } from './fixture.js';

if (!isRoot) console.warn('skipping sandbox seccomp tests: they need root for namespaces and mounts');

/** `name=result` lines of the seccomp-probe fixture as a map. */
function results(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => l.split('=') as [string, string]),
  );
}

const EPERM = 'Operation not permitted';

/** arm64 binaries run here through qemu-user (binfmt_misc, F flag: usable inside the sandbox). */
const binfmt = '/proc/sys/fs/binfmt_misc/qemu-aarch64';
const qemu = existsSync(binfmt) && /^enabled$/m.test(readFileSync(binfmt, 'utf8')) && /^flags: \S*F/m.test(readFileSync(binfmt, 'utf8'));
const crossCompiler = spawnSync('aarch64-linux-gnu-gcc', ['--version']).status === 0;
if (isRoot && !(qemu && crossCompiler))
  console.warn('skipping the qemu-user seccomp test: it needs qemu-aarch64 in binfmt_misc (F flag) and aarch64-linux-gnu-gcc');

describe.skipIf(!isRoot)("Docker's default seccomp profile", () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await createFixture();
    fx.installTool('seccomp-probe');
  });
  afterAll(() => fx.cleanup());

  it('refuses user namespaces, keys, perf events and io_uring in a step', async () => {
    const run = await fx.sh('seccomp-probe');
    expect(run.exitCode).toBe(0);
    const got = results(run.stdout);
    expect(got).toMatchObject({
      unshare_user: EPERM,
      clone_newuser: EPERM,
      keyctl: EPERM,
      add_key: EPERM,
      io_uring_setup: EPERM,
      perf_event_open: EPERM,
      personality_other: EPERM,
      socket_vsock: EPERM,
    });
    expect(got.userns_mount).toBeUndefined();
    // clone3 says ENOSYS, so libcs fall back to clone, whose namespace flags the filter checks.
    expect(got.clone3).toBe('Function not implemented');
    // What the profile allows still works: CAP_SYS_CHROOT is kept, and so is chroot.
    expect(got).toMatchObject({ personality_query: 'ok', socket_unix: 'ok', chroot: 'ok', thread: 'ok', fork: 'ok' });
    // The 32-bit ABI has its own numbers, and its own branch of the filter.
    if (process.arch === 'x64') expect(got).toMatchObject({ i386_getpid: 'ok', i386_io_uring_setup: EPERM });
  });

  it('applies to a step run as a non-root user too', async () => {
    const run = await fx.sh('seccomp-probe', { user: '65534:65534' });
    expect(results(run.stdout)).toMatchObject({ unshare_user: EPERM, keyctl: EPERM, io_uring_setup: EPERM });
  });

  it('is lifted by --security=insecure', async () => {
    const run = await fx.sh('seccomp-probe', { security: 'insecure' });
    const got = results(run.stdout);
    expect(got).toMatchObject({ unshare_user: 'ok', userns_mount: 'ok', clone_newuser: 'ok', personality_other: 'ok' });
    expect(got.keyctl).not.toBe(EPERM);
    expect(got.io_uring_setup).not.toBe(EPERM);
    if (process.arch === 'x64') expect(got.i386_io_uring_setup).toBe('Bad address');
  });

  it('refuses unshare -U to busybox and keeps ordinary tools working', async () => {
    const run = await fx.sh('unshare -U true 2>&1; echo rc=$?; echo hi | sed s/hi/ok/ | tr a-z A-Z; ls / | wc -l');
    expect(run.stdout).toContain(EPERM);
    expect(run.stdout).toContain('rc=1');
    expect(run.stdout).toContain('OK');
  });

  it.skipIf(!qemu || !crossCompiler)('lets qemu-user run an arm64 step, whose host syscalls it filters', async () => {
    const probe = join(fx.lower, 'bin', 'seccomp-probe-arm64');
    execFileSync('aarch64-linux-gnu-gcc', ['-static', '-O2', '-o', probe, join(import.meta.dirname, 'fixtures', 'seccomp-probe.c')]);
    const run = await fx.sh('seccomp-probe-arm64');
    expect(run.exitCode).toBe(0);
    const got = results(run.stdout);
    // qemu's own threads, mmaps and signals pass, and so do the guest's threads and forks ...
    expect(got).toMatchObject({ thread: 'ok', fork: 'ok', socket_unix: 'ok', personality_query: 'ok' });
    // ... while what it passes on to the host is filtered (keys, perf and io_uring qemu
    // answers itself, with ENOSYS).
    expect(got).toMatchObject({ unshare_user: EPERM, socket_vsock: EPERM, personality_other: EPERM });
  });

  it('masks /sys/firmware', async () => {
    const run = await fx.sh('ls -A /sys/firmware | wc -l; touch /sys/firmware/x 2>&1 || echo read-only');
    expect(run.stdout.split('\n')[0]!.trim()).toBe('0');
    expect(run.stdout).toContain('read-only');
  });
});
