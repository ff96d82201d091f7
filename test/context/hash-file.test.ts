// The addon's file hash reads only the regular file the walk saw: a path swapped since for a
// symlink must not lead the read elsewhere, and one swapped for a fifo must not block it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { native } from '../../src/native.js';

describe('native.hashFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsbuild-hashfile-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hashes the prefix and then the bytes of a regular file', async () => {
    writeFileSync(join(dir, 'f'), 'content');
    const expected = 'sha256:' + createHash('sha256').update('head\0').update('content').digest('hex');
    await expect(native.hashFile(join(dir, 'f'), Buffer.from('head\0'))).resolves.toBe(expected);
  });

  it('refuses a symlink instead of reading its target', async () => {
    writeFileSync(join(dir, 'secret'), 'outside');
    symlinkSync(join(dir, 'secret'), join(dir, 'link'));
    await expect(native.hashFile(join(dir, 'link'), Buffer.alloc(0))).rejects.toMatchObject({ code: 'ELOOP' });
  });

  it('refuses a fifo at once instead of waiting for a writer', async () => {
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    await expect(native.hashFile(join(dir, 'fifo'), Buffer.alloc(0))).rejects.toMatchObject({ code: 'EINVAL' });
  });
});
