// extractTarSafely as ADD and `docker build -` use it: metadata the archive carries comes
// out exactly (PAX owners, mtimes past 2038 or before 1970, nanoseconds), --chown
// replaces owners except on symlinks, and the archive merges into what is there.
import { lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { extractTarSafely } from '../../src/context/safe-extract.js';
import { copyToLayer } from '../../src/copier/index.js';
import { copyRequest } from '../copier/helpers.js';
import { archive, header, isRoot, tempDir, type TestEntry } from '../image/helpers.js';

// 2040-01-01T00:00:00Z, past the signed 32-bit limit and the 11-digit octal field tar-stream reads.
const Y2040 = 2_208_988_800;
const ns = (sec: number, nsec: number) => BigInt(sec) * 1_000_000_000n + BigInt(nsec);

/** The archive ADD would get: owners above 262143 and 2040 mtimes with nanoseconds, all in PAX records. */
function addStyleArchive(): TestEntry[] {
  return [
    { header: header({ name: 'd/', type: 'dir', mode: 0o750, uid: 300_000, gid: 300_000, mtime: { sec: Y2040, nsec: 123_456_789 } }) },
    {
      header: header({ name: 'd/f', type: 'file', mode: 0o4755, uid: 300_000, gid: 300_000, mtime: { sec: Y2040 + 1, nsec: 987_654_321 } }),
      body: Buffer.from('payload'),
    },
    { header: header({ name: 'd/l', type: 'symlink', linkname: 'f', uid: 300_000, gid: 300_001, mtime: { sec: Y2040 + 2, nsec: 5 } }) },
    {
      header: header({
        name: 'd/h',
        type: 'hardlink',
        linkname: 'd/f',
        mode: 0o4755,
        uid: 300_000,
        gid: 300_000,
        mtime: { sec: Y2040 + 1, nsec: 987_654_321 },
      }),
    },
    { header: header({ name: 'old', type: 'file', uid: 300_000, gid: 300_000, mtime: { sec: -86_400, nsec: 250_000_000 } }), body: Buffer.from('') },
  ];
}

function stat(p: string) {
  const st = lstatSync(p, { bigint: true });
  return { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777n, mtimeNs: st.mtimeNs };
}

describe.skipIf(!isRoot)('extractTarSafely', () => {
  it('keeps PAX uid/gid 300000 and 2040 mtimes to the nanosecond', async () => {
    const dest = tempDir();
    await extractTarSafely(Readable.from([archive(addStyleArchive())]), { dest });
    expect(stat(path.join(dest, 'd'))).toEqual({ uid: 300_000n, gid: 300_000n, mode: 0o750n, mtimeNs: ns(Y2040, 123_456_789) });
    expect(stat(path.join(dest, 'd/f'))).toEqual({ uid: 300_000n, gid: 300_000n, mode: 0o4755n, mtimeNs: ns(Y2040 + 1, 987_654_321) });
    expect(stat(path.join(dest, 'd/l'))).toMatchObject({ uid: 300_000n, gid: 300_001n, mtimeNs: ns(Y2040 + 2, 5) });
    expect(readlinkSync(path.join(dest, 'd/l'))).toBe('f');
    expect(lstatSync(path.join(dest, 'd/h')).ino).toBe(lstatSync(path.join(dest, 'd/f')).ino);
    expect(readFileSync(path.join(dest, 'd/h'), 'utf8')).toBe('payload');
  });

  it('keeps an mtime before 1970 with its fraction', async () => {
    const dest = tempDir();
    await extractTarSafely(Readable.from([archive(addStyleArchive())]), { dest });
    expect(lstatSync(path.join(dest, 'old'), { bigint: true }).mtimeNs).toBe(ns(-86_400, 250_000_000));
  });

  it('gives every entry but symlinks the --chown owner', async () => {
    const dest = tempDir();
    await extractTarSafely(Readable.from([archive(addStyleArchive())]), { dest, owner: { uid: 1000, gid: 1001 } });
    expect(stat(path.join(dest, 'd'))).toMatchObject({ uid: 1000n, gid: 1001n, mtimeNs: ns(Y2040, 123_456_789) });
    // chown clears setuid, so the mode must have been set after it.
    expect(stat(path.join(dest, 'd/f'))).toEqual({ uid: 1000n, gid: 1001n, mode: 0o4755n, mtimeNs: ns(Y2040 + 1, 987_654_321) });
    expect(stat(path.join(dest, 'd/l'))).toMatchObject({ uid: 300_000n, gid: 300_001n });
  });

  it('merges into the destination: a directory entry keeps its contents, a file replaces a directory', async () => {
    const dest = tempDir();
    mkdirSync(path.join(dest, 'keep'));
    writeFileSync(path.join(dest, 'keep/old'), 'old');
    mkdirSync(path.join(dest, 'was-dir'));
    writeFileSync(path.join(dest, 'was-dir/x'), 'x');
    const tar = archive([
      { header: header({ name: 'keep/', type: 'dir', mode: 0o700 }) },
      { header: header({ name: 'keep/new', type: 'file' }), body: Buffer.from('new') },
      { header: header({ name: 'was-dir', type: 'file' }), body: Buffer.from('file now') },
      { header: header({ name: './', type: 'dir', mode: 0o700, mtime: { sec: 1, nsec: 0 } }) },
    ]);
    const rootBefore = lstatSync(dest).mode;
    await extractTarSafely(Readable.from([tar]), { dest });
    expect(readFileSync(path.join(dest, 'keep/old'), 'utf8')).toBe('old');
    expect(readFileSync(path.join(dest, 'keep/new'), 'utf8')).toBe('new');
    expect(lstatSync(path.join(dest, 'keep')).mode & 0o7777).toBe(0o700);
    expect(readFileSync(path.join(dest, 'was-dir'), 'utf8')).toBe('file now');
    expect(lstatSync(dest).mode).toBe(rootBefore);
  });

  it('lands absolute names and names that climb back in inside the destination, as tar -x does', async () => {
    const dest = tempDir();
    const tar = archive([
      { header: header({ name: '/abs', type: 'file' }), body: Buffer.from('a') },
      { header: header({ name: 'x/../back', type: 'file' }), body: Buffer.from('b') },
    ]);
    await extractTarSafely(Readable.from([tar]), { dest });
    expect(readFileSync(path.join(dest, 'abs'), 'utf8')).toBe('a');
    expect(readFileSync(path.join(dest, 'back'), 'utf8')).toBe('b');
  });

  it('gives ADD of a local tar the same exact owners and times', async () => {
    const ctx = tempDir();
    writeFileSync(path.join(ctx, 'a.tar'), archive(addStyleArchive()));
    const req = await copyRequest(ctx, ['a.tar'], '/t/', { add: {} });
    try {
      await copyToLayer(req);
      expect(stat(path.join(req.outDir, 't/d/f'))).toEqual({ uid: 300_000n, gid: 300_000n, mode: 0o4755n, mtimeNs: ns(Y2040 + 1, 987_654_321) });
      expect(stat(path.join(req.outDir, 't/d'))).toMatchObject({ uid: 300_000n, mtimeNs: ns(Y2040, 123_456_789) });
    } finally {
      rmSync(req.outDir, { recursive: true, force: true });
    }
  });
});
