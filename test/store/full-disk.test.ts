// A full disk: every command that needs space says "no space left on device (store at …)"
// instead of an internal error, commands that only read still work, and rmi, prune and fsck still work at 0 bytes free (they give back the
// store's reserve first). The store lives on a small tmpfs filled up with a file.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tsbuild } from '../e2e/helpers.js';
import { busyboxMissing, busyboxRootfsTar } from '../helpers/busybox-rootfs.js';

const NO_SPACE = /^ERROR: no space left on device \(store at .*\/store\)/m;

/** Writes zeros to `file` until the filesystem is full (at most `maxMiB`). */
function fill(file: string, maxMiB = 256): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(1 << 16);
  try {
    for (let i = 0; i < maxMiB * 16; i++) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(busyboxMissing() !== undefined || process.getuid?.() !== 0)('a full disk', () => {
  let base: string;
  let mnt: string;
  let root: string;
  let ctx: string;

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'tsbuild-full-'));
    mnt = join(base, 'mnt');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mnt]);
    root = join(mnt, 'store');
    const tar = busyboxRootfsTar(join(base, 'busybox.tar'), base);
    expect(tsbuild(['import', tar, '-t', 'busybox'], { root }).status).toBe(0);
    expect(tsbuild(['tag', 'busybox', 'second'], { root }).status).toBe(0);
    expect(existsSync(join(root, 'reserve'))).toBe(true);
    ctx = join(base, 'ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo hello > /x\n');
    fill(join(mnt, 'filler'));
  }, 120_000);

  afterAll(() => {
    if (mnt) execFileSync('umount', [mnt]);
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('names the store instead of an internal error', () => {
    for (const args of [
      ['tag', 'busybox', 'third'],
      ['build', ctx],
    ]) {
      const r = tsbuild(args, { root });
      expect(r.stderr).not.toMatch(/internal error|SqliteError|\n\s+at /);
      expect(r.stderr).toMatch(NO_SPACE);
      expect(r.status).toBe(1);
    }
  });

  it('still answers commands that only read (meta.db keeps its WAL between commands)', () => {
    const images = tsbuild(['images'], { root });
    expect(images.stdout).toMatch(/^busybox\s/m);
    expect(images.status).toBe(0);
    expect(tsbuild(['du'], { root }).status).toBe(0);
  });

  it('lets rmi, prune and fsck run with 0 bytes free', () => {
    const rmi = tsbuild(['rmi', 'second'], { root });
    expect(rmi.stderr).toBe('');
    expect(rmi.stdout).toContain('Untagged: second:latest');
    expect(tsbuild(['prune', '--all'], { root }).status).toBe(0);
    const fsck = tsbuild(['fsck'], { root });
    expect(fsck.stdout).toContain('clean');
    expect(fsck.status).toBe(0);
    // Space freed by the user: everything works again and the reserve comes back.
    rmSync(join(mnt, 'filler'));
    const images = tsbuild(['images'], { root });
    expect(images.stdout).toContain('busybox');
    expect(images.stdout).not.toMatch(/^second\s/m);
    expect(existsSync(join(root, 'reserve'))).toBe(true);
  });
});
