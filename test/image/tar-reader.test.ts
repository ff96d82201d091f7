// Reading tars other tools write (GNU long names, GNU PAX, Python global headers) and
// refusing broken ones; plus the PAX record arithmetic.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { native } from '../../src/native.js';
import { readTar, TarFormatError } from '../../src/image/tar/index.js';
import { decodePaxRecords, encodePaxRecords, formatPaxTime, parsePaxTime } from '../../src/image/tar/pax.js';
import { archive, header, isRoot, readAll, run, tempDir } from './helpers.js';

function gnuTar(args: string[]): Buffer {
  return Buffer.from(run('bash', ['-c', 'tar "$@" | base64 -w0', 'tar', ...args]), 'base64');
}

describe('pax records', () => {
  it('count their own length right across every digit boundary', () => {
    const lengths = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
    for (let n = 80; n <= 100; n++) lengths.push(n, n + 900);
    for (const n of lengths) {
      const records = new Map([['k', Buffer.alloc(n, 0x61)]]);
      const data = encodePaxRecords(records);
      expect(Number(data.toString('latin1').split(' ')[0])).toBe(data.length);
      expect(decodePaxRecords(data)).toEqual(records);
    }
  });

  it('format and parse times before 1970 with fractions', () => {
    expect(formatPaxTime({ sec: -2, nsec: 500_000_000 })).toBe('-1.5');
    expect(parsePaxTime('-1.5')).toEqual({ sec: -2, nsec: 500_000_000 });
    expect(parsePaxTime('1700000000.1234567891')).toEqual({ sec: 1_700_000_000, nsec: 123_456_789 });
    expect(formatPaxTime({ sec: 0, nsec: 1 })).toBe('0.000000001');
  });

  it('reject a record whose length is wrong', () => {
    expect(() => decodePaxRecords(Buffer.from('9 path=abc\n'))).toThrow(TarFormatError);
  });
});

describe('reading other tools’ archives', () => {
  it('follows GNU long name and long link records', async () => {
    const dir = tempDir();
    const long = `${'n'.repeat(150)}`;
    writeFileSync(path.join(dir, long), 'data');
    symlinkSync(`/${'t'.repeat(150)}`, path.join(dir, 'link'));
    const entries = await readAll(gnuTar(['--format=gnu', '-cf', '-', '-C', dir, long, 'link']));
    expect(entries.map((e) => [e.header.name, e.header.type, e.header.linkname])).toEqual([
      [long, 'file', ''],
      ['link', 'symlink', `/${'t'.repeat(150)}`],
    ]);
    expect(entries[0]!.body.toString()).toBe('data');
  });

  it.skipIf(!isRoot)("reads GNU tar's PAX xattrs and sub-second times byte-exact", async () => {
    const dir = tempDir();
    const file = path.join(dir, 'f');
    writeFileSync(file, '');
    const value = Buffer.from([0, 1, 2, 0xff, 0x0a]);
    native.lsetxattr(file, 'trusted.blob', value);
    run('touch', ['-d', '2001-02-03 04:05:06.789 UTC', file]);
    const [entry] = await readAll(gnuTar(['--format=pax', '--xattrs', '--xattrs-include=*', '-cf', '-', '-C', dir, 'f']));
    expect(entry!.header.xattrs).toEqual({ 'trusted.blob': value });
    expect(entry!.header.mtime).toEqual({ sec: 981_173_106, nsec: 789_000_000 });
  });

  it('applies a PAX global header to the entries after it', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'd'));
    const script = `
import io, sys, tarfile
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode='w', format=tarfile.PAX_FORMAT, pax_headers={'uid': '777777'}) as tf:
    tf.add(sys.argv[1], arcname='d')
sys.stdout.buffer.write(buf.getvalue())`;
    const bytes = Buffer.from(run('bash', ['-c', 'python3 -c "$1" "$2" | base64 -w0', 'py', script, path.join(dir, 'd')]), 'base64');
    const [entry] = await readAll(bytes);
    expect(entry!.header).toMatchObject({ name: 'd/', type: 'dir', uid: 777_777 });
  });

  it('skips bodies the caller did not read', async () => {
    const bytes = archive([
      { header: header({ name: 'a', type: 'file' }), body: Buffer.alloc(70_000, 1) },
      { header: header({ name: 'b', type: 'file' }), body: Buffer.from('b') },
    ]);
    const names: string[] = [];
    for await (const { header: h } of readTar(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]))) names.push(h.name);
    expect(names).toEqual(['a', 'b']);
  });
});

describe('broken archives', () => {
  const good = () => archive([{ header: header({ name: 'a', type: 'file' }), body: Buffer.from('hello') }]);

  it('are refused when a header checksum does not match', async () => {
    const bytes = good();
    bytes[0] = 0x62; // 'a' -> 'b' without fixing the checksum
    await expect(readAll(bytes)).rejects.toThrow(/checksum/);
  });

  it('are refused when they end inside a body', async () => {
    await expect(readAll(good().subarray(0, 514))).rejects.toThrow(/ends inside the body of a/);
  });

  it('are refused when they hold an entry type a layer cannot have', async () => {
    const bytes = good();
    bytes[156] = 'S'.charCodeAt(0); // GNU sparse
    // Keep the checksum valid so the type is what is refused.
    const { sealBlock } = await import('../../src/image/tar/ustar.js');
    sealBlock(bytes.subarray(0, 512));
    await expect(readAll(bytes)).rejects.toThrow(/unsupported tar entry type "S"/);
  });
});
