import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, isRoot, type Fixture } from './fixture.js';

if (!isRoot) console.warn('skipping sandbox isolation tests: they need root for namespaces and mounts');

/** The block device and filesystem type of the host's root. */
function hostDisk(): { major: number; minor: number; type: string } {
  const dev = statSync('/').dev;
  const root = execFileSync('findmnt', ['-no', 'FSTYPE', '/'], { encoding: 'utf8' }).trim();
  return { major: Math.floor(dev / 256) & 0xfff, minor: (dev & 0xff) | ((dev >> 12) & 0xfff00), type: root };
}

describe.skipIf(!isRoot)('sandbox isolation', () => {
  let fx: Fixture;
  let marker: string;
  beforeAll(async () => {
    fx = await createFixture();
    marker = join(await mkdtemp(join(tmpdir(), 'tsbuild-marker-')), 'host-marker');
    await writeFile(marker, 'host');
  });
  afterAll(async () => {
    await fx.cleanup();
    await rm(join(marker, '..'), { recursive: true, force: true });
  });

  it('does not show a host file to the step', async () => {
    const run = await fx.sh(`test -e ${marker} && echo visible || echo hidden; ls /`);
    expect(run.stdout).toContain('hidden');
    expect(run.stdout.split('\n')).not.toContain('work');
  });

  it('lists only the sandbox processes in /proc', async () => {
    const run = await fx.sh('ls /proc | grep -E "^[0-9]+$" | sort -n | tr "\\n" " "; echo; cat /proc/1/cmdline | tr "\\0" " "');
    const pids = run.stdout.split('\n')[0]!.trim().split(' ').map(Number);
    // PID 1 (the init), the shell, and the pipeline's own processes: nothing from the host.
    expect(pids[0]).toBe(1);
    expect(Math.max(...pids)).toBeLessThan(20);
    expect(run.stdout).toContain('tsbuild-init');
  });

  it('finds no host path after a chroot escape attempt as root', async () => {
    // busybox's chroot always changes into the new root, so the escape needs its own binary.
    fx.installTool('chroot-escape');
    const run = await fx.sh('chroot-escape');
    expect(run.exitCode).toBe(0);
    const listed = run.stdout.split('\n').filter(Boolean);
    expect(listed).toEqual(expect.arrayContaining(['bin', 'etc', 'tmp']));
    expect(listed).not.toContain('work');
    expect(listed).not.toContain('lib'); // on every Debian host, never in the busybox rootfs
    expect(run.stdout).not.toContain(marker.split('/')[2]);
  });

  it('refuses to create a block device and to mount a host disk', async () => {
    const disk = hostDisk();
    const run = await fx.sh(
      `mknod /tmp/disk b ${disk.major} ${disk.minor} 2>&1 && echo made; mkdir /mnt; mount -t ${disk.type} /tmp/disk /mnt 2>&1 && echo mounted; mount -t proc proc /mnt 2>&1 && echo mounted; echo; ls /dev`,
    );
    expect(run.stdout).toContain('Operation not permitted');
    expect(run.stdout).not.toContain('made');
    expect(run.stdout).not.toContain('mounted');
    expect(run.stdout.split('\n\n')[1]).not.toMatch(/\b(sd|vd|nvme|loop)/);
  });

  it('cannot open a device node smuggled into the image', async () => {
    const run = await fx.sh('mknod /tmp/mem c 1 1 && head -c 1 /tmp/mem >/dev/null 2>&1 && echo opened || echo refused');
    expect(run.stdout.trim()).toBe('refused');
  });

  it('cannot signal a host process', async () => {
    const run = await fx.sh(`kill -0 ${process.pid} 2>&1 && echo reached || echo unreachable`);
    expect(run.stdout).toContain('unreachable');
  });

  it('has only the loopback interface without the host network', async () => {
    const run = await fx.sh('ls /sys/class/net; ip -o link | cut -d: -f2', { network: 'none' });
    expect(run.stdout.split(/\s+/).filter(Boolean)).toEqual(['lo', 'lo']);
    expect((await readdir('/sys/class/net')).length).toBeGreaterThan(1);
  });

  it('shares the host interfaces with the host network', async () => {
    const run = await fx.sh('ls /sys/class/net', { network: 'host' });
    expect(run.stdout.split(/\s+/).filter(Boolean).sort()).toEqual((await readdir('/sys/class/net')).sort());
  });

  it('bounds capabilities to Docker’s default set', async () => {
    const run = await fx.sh('grep -E "^Cap(Bnd|Eff|Inh)" /proc/self/status');
    expect(run.stdout).toContain('CapBnd:\t00000000a80425fb');
    expect(run.stdout).toContain('CapEff:\t00000000a80425fb');
    expect(run.stdout).toContain('CapInh:\t0000000000000000');
  });

  it('keeps every capability in insecure mode', async () => {
    const run = await fx.sh('grep CapEff /proc/self/status; mkdir /mnt; mount -t tmpfs t /mnt && echo mounted', { security: 'insecure' });
    expect(run.stdout).not.toContain('a80425fb');
    expect(run.stdout).toContain('mounted');
  });

  it('uses the hostname and the hosts file of the sandbox', async () => {
    const run = await fx.sh('hostname; cat /etc/hostname; cat /etc/hosts', { hostname: 'step-host' });
    expect(run.stdout).toMatch(/^step-host\nstep-host\n127\.0\.0\.1\tlocalhost step-host\n/);
  });

  it('masks /proc files that leak host kernel state', async () => {
    const run = await fx.sh('wc -c < /proc/timer_list; wc -c < /proc/keys; ls /proc/acpi 2>/dev/null | wc -l');
    expect(run.stdout).toBe('0\n0\n0\n');
  });

  it('mounts /sys and the /proc kernel knobs read-only', async () => {
    const run = await fx.sh('echo 1 > /proc/sys/kernel/panic 2>&1 || echo procro; touch /sys/x 2>&1 || echo sysro');
    expect(run.stdout).toContain('procro');
    expect(run.stdout).toContain('sysro');
  });
});
