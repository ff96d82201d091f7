// The gate for the tar codec: hard entries written by us read back identically with our
// reader, with GNU tar (listing, and extraction as root checked with lstat) and with
// Python's tarfile.
import { spawnSync } from 'node:child_process';
import { lstatSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { native } from '../../src/native.js';
import type { TarHeader } from '../../src/image/tar/index.js';
import { archive, header, isRoot, readAll, run, tempDir, type TestEntry } from './helpers.js';

const Y2040 = 2_208_988_800;
const Y1960 = -315_619_200;
// security.capability v2 granting cap_net_bind_service: 20 bytes, mostly NUL.
const CAPABILITY = Buffer.from('0100000200040000000000000000000000000000', 'hex');
const BINARY = Buffer.from([0xff, 0x00, 0x80, 0x0a, 0x3d, 0xc3, 0x20]);
const LONG_NAME = `sticky/${'ü'.repeat(60)}`; // 127 bytes of UTF-8
const LONG_TARGET = `/${'ß/'.repeat(40)}end`; // 124 bytes
const LONG_HARDLINK = `hard-${'h'.repeat(100)}`;

const ENTRIES: TestEntry[] = [
  { header: header({ name: 'locked/', type: 'dir', mode: 0o000, uid: 300_000, gid: 300_001, mtime: { sec: Y2040, nsec: 0 } }) },
  {
    header: header({
      name: 'locked/setuid',
      type: 'file',
      mode: 0o4755,
      mtime: { sec: 1_700_000_000, nsec: 123_456_789 },
      xattrs: { 'security.capability': CAPABILITY, 'user.binary': BINARY },
    }),
    body: Buffer.from('#!/bin/sh\necho hi\n'),
  },
  { header: header({ name: 'locked/none', type: 'file', mode: 0o000, mtime: { sec: Y1960, nsec: 500_000_000 } }), body: Buffer.from('x') },
  { header: header({ name: 'sticky/', type: 'dir', mode: 0o1777, mtime: { sec: Y1960, nsec: 0 } }) },
  { header: header({ name: LONG_NAME, type: 'file', mode: 0o2755, uid: 4_000_000, gid: 70 }), body: Buffer.alloc(1000, 7) },
  { header: header({ name: 'sticky/link', type: 'symlink', mode: 0o777, linkname: LONG_TARGET }) },
  { header: header({ name: 'hard', type: 'hardlink', mode: 0o4755, linkname: 'locked/setuid' }) },
  { header: header({ name: LONG_HARDLINK, type: 'hardlink', mode: 0o2755, uid: 4_000_000, gid: 70, linkname: LONG_NAME }) },
  { header: header({ name: 'dev/', type: 'dir', mode: 0o755 }) },
  { header: header({ name: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 }) },
  { header: header({ name: 'dev/big', type: 'block', mode: 0o660, gid: 6, devmajor: 259, devminor: 1_048_575 }) },
  { header: header({ name: 'dev/fifo', type: 'fifo', mode: 0o600 }) },
  {
    header: header({ name: 'odd-xattrs', type: 'file', xattrs: { 'user.empty': Buffer.alloc(0), 'user.text': Buffer.from('a\nb=c d') } }),
    body: Buffer.alloc(0),
  },
];

const expected = ENTRIES.map(({ header: h, body }) => ({ header: { ...h, size: body?.length ?? 0 }, body: body ?? Buffer.alloc(0) }));

function writeArchive(): string {
  const file = path.join(tempDir(), 'gate.tar');
  writeFileSync(file, archive(ENTRIES));
  return file;
}

function nsOf(h: TarHeader): bigint {
  return BigInt(h.mtime.sec) * 1_000_000_000n + BigInt(h.mtime.nsec);
}

describe('tar round trip', () => {
  it('reads every hard entry back identically with our reader', async () => {
    expect(await readAll(archive(ENTRIES))).toEqual(expected);
  });

  it('lists every entry as GNU tar sees it, with the exact mode, owner, size, time and xattrs', () => {
    const listing = run('tar', ['--xattrs', '--xattrs-include=*', '--numeric-owner', '--full-time', '-tvvf', writeArchive()]);
    const lines = listing.split('\n');
    const line = (name: string) => lines.find((l) => l.includes(` ${name}`)) ?? `(no line for ${name})`;
    expect(line('locked/')).toMatch(/^d---------\s+300000\/300001\s+0 2040-01-01 00:00:00\s+locked\/$/);
    expect(line('locked/setuid')).toMatch(/^-rwsr-xr-x\*\s+0\/0\s+18 2023-11-14 22:13:20\.123456789\s+locked\/setuid$/);
    // GNU tar 1.34 lists negative fractional times a second late (it extracts them right,
    // see below, and writes the same `-315619199.5` record for this time itself).
    expect(line('locked/none')).toMatch(/^----------\s+0\/0\s+1 1960-01-01 00:00:0\d\.5\s+locked\/none$/);
    expect(line('sticky/')).toMatch(/^drwxrwxrwt\s+0\/0\s+0 1960-01-01 00:00:00\s+sticky\/$/);
    expect(line(LONG_NAME)).toMatch(new RegExp(`^-rwxr-sr-x\\s+4000000/70\\s+1000 .* ${LONG_NAME}$`));
    expect(line('sticky/link')).toContain(`sticky/link -> ${LONG_TARGET}`);
    expect(line('hard ')).toContain('hard link to locked/setuid');
    expect(line(LONG_HARDLINK)).toContain(`${LONG_HARDLINK} link to ${LONG_NAME}`);
    expect(line('dev/null')).toMatch(/^crw-rw-rw-\s+0\/0\s+1,3 .* dev\/null$/);
    expect(line('dev/big')).toMatch(/^brw-rw----\s+0\/6\s+259,1048575 .* dev\/big$/);
    expect(line('dev/fifo')).toMatch(/^prw-------\s/);
    // -vv prints each entry's xattrs under it, names only.
    expect(listing).toContain('x: 20 security.capability');
    expect(listing).toContain('x: 7 user.binary');
    expect(listing).toContain('x: 0 user.empty');
  });

  it('writes a negative sub-second mtime as the same PAX record GNU tar writes', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'f'), '');
    run('touch', ['-d', '1960-01-01 00:00:00.5 UTC', path.join(dir, 'f')]);
    const gnu = run('tar', ['--format=pax', '-cf', '-', '-C', dir, 'f']);
    const ours = archive([{ header: header({ name: 'f', type: 'file', mtime: { sec: Y1960, nsec: 500_000_000 } }) }]).toString('latin1');
    const record = /\d+ mtime=[^\n]*\n/;
    expect(ours.match(record)?.[0]).toBe('22 mtime=-315619199.5\n');
    expect(gnu.match(record)?.[0]).toBe('22 mtime=-315619199.5\n');
  });

  it.skipIf(!isRoot)('extracts with GNU tar to exactly the metadata that was written', () => {
    const out = tempDir();
    run('tar', ['--warning=no-timestamp', '--xattrs', '--xattrs-include=*', '--numeric-owner', '-xpf', writeArchive(), '-C', out]);
    for (const { header: h, body } of expected) {
      const abs = path.join(out, h.name);
      const st = lstatSync(abs, { bigint: true });
      if (h.type === 'hardlink') {
        expect(st.ino, h.name).toBe(lstatSync(path.join(out, h.linkname), { bigint: true }).ino);
        continue;
      }
      expect(Number(st.mode) & 0o7777, h.name).toBe(h.type === 'symlink' ? 0o777 : h.mode);
      expect([Number(st.uid), Number(st.gid)], h.name).toEqual([h.uid, h.gid]);
      if (h.type !== 'symlink') expect(st.mtimeNs, h.name).toBe(nsOf(h));
      if (h.type === 'file') {
        expect(readFileSync(abs), h.name).toEqual(body);
        expect(native.lgetxattrs(abs), h.name).toEqual(h.xattrs);
      }
      if (h.type === 'symlink') expect(readlinkSync(abs)).toBe(h.linkname);
      if (h.type === 'char' || h.type === 'block') {
        const [major, minor] = [BigInt(h.devmajor), BigInt(h.devminor)];
        expect(st.rdev, h.name).toBe((major << 8n) | (minor & 0xffn) | ((minor & ~0xffn) << 12n));
      }
    }
  });

  it("reads back identically with Python's tarfile", () => {
    const script = `
import json, sys, tarfile
out = []
with tarfile.open(sys.argv[1]) as tf:
    for m in tf:
        out.append(dict(name=m.name, type=m.type.decode(), mode=m.mode, uid=m.uid, gid=m.gid, size=m.size,
            mtime=m.pax_headers.get('mtime', str(m.mtime)), linkname=m.linkname, devmajor=m.devmajor, devminor=m.devminor,
            xattrs={k[len('SCHILY.xattr.'):]: v.encode('utf-8', 'surrogateescape').hex()
                    for k, v in m.pax_headers.items() if k.startswith('SCHILY.xattr.')},
            body=tf.extractfile(m).read().hex() if m.isreg() else ''))
json.dump(out, sys.stdout)`;
    const seen = JSON.parse(run('python3', ['-c', script, writeArchive()]));
    const typeflags = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };
    const want = expected.map(({ header: h, body }) => ({
      name: h.name.replace(/\/$/, ''), // tarfile drops a directory's trailing slash
      type: typeflags[h.type],
      mode: h.mode,
      uid: h.uid,
      gid: h.gid,
      size: h.size,
      mtime: h.mtime.nsec === 0 ? String(h.mtime.sec) : `${nsOf(h) < 0n ? '-' : ''}${formatAbs(nsOf(h))}`,
      linkname: h.linkname,
      devmajor: h.devmajor,
      devminor: h.devminor,
      xattrs: Object.fromEntries(Object.entries(h.xattrs).map(([k, v]) => [k, v.toString('hex')])),
      body: h.type === 'file' ? body.toString('hex') : '',
    }));
    expect(seen).toEqual(want);
  });
});

function formatAbs(ns: bigint): string {
  const abs = ns < 0n ? -ns : ns;
  return `${abs / 1_000_000_000n}.${(abs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '')}`;
}

describe('sizes beyond 8 GiB', () => {
  const SIZE = 9 * 2 ** 30 + 5;
  const bigHeader = () => archive([{ header: header({ name: 'big', type: 'file', size: SIZE }) }]).subarray(0, -1024);

  it('are written as a PAX size record and a base-256 size field', () => {
    const bytes = bigHeader();
    expect(bytes.toString('latin1')).toContain(`size=${SIZE}\n`);
    const ustar = bytes.subarray(bytes.length - 512);
    expect(ustar[124]! & 0x80).toBe(0x80);
  });

  it('are read back by our reader, GNU tar and Python from the header alone', async () => {
    const bytes = bigHeader();
    const { readTar } = await import('../../src/image/tar/index.js');
    for await (const entry of readTar(Readable.from([bytes]))) {
      expect(entry.header.size).toBe(SIZE);
      break;
    }
    const file = path.join(tempDir(), 'big.tar');
    writeFileSync(file, bytes);
    // Both tools list the header and then complain that the body is missing, as they should.
    const gnu = spawnSync('tar', ['-tvf', file], { encoding: 'utf8' });
    expect(gnu.stdout).toMatch(new RegExp(` ${SIZE} .* big`));
    const py = spawnSync('python3', ['-c', 'import tarfile,sys; print(tarfile.open(sys.argv[1]).next().size)', file], { encoding: 'utf8' });
    expect(py.stdout.trim()).toBe(String(SIZE));
  });
});
