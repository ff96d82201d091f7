// TarHeader -> header bytes: a PAX `x` header when anything does not fit ustar exactly,
// then the ustar block. Output depends only on the header, so equal entries always give
// equal bytes (PAX keys sorted, uname/gname empty, a fixed PAX header name and mode).
import { encodeName } from '../../byte-names.js';
import { encodePaxRecords, formatPaxTime, type PaxRecords } from './pax.js';
import { BLOCK, TarFormatError, padding, type TarEntryType, type TarHeader } from './types.js';
import { FIELDS, octalFits, writeNumber, type Field } from './ustar.js';

/** Typeflag bytes: '0' to '6'. */
const TYPEFLAGS: Record<TarEntryType, number> = {
  file: 0x30,
  hardlink: 0x31,
  symlink: 0x32,
  char: 0x33,
  block: 0x34,
  dir: 0x35,
  fifo: 0x36,
};
/** 'x': the PAX extended header of the entry that follows. */
const PAX_TYPEFLAG = 0x78;

/**
 * Plain ASCII fits a ustar field as is; anything else goes through PAX, as UTF-8, or as the
 * name's own bytes when it is not UTF-8 (as GNU tar and Go's archive/tar write it).
 */
function fitsField(text: string, width: number): boolean {
  // eslint-disable-next-line no-control-regex -- NUL ends a ustar field, so it is what the range leaves out.
  return text.length <= width && /^[\x01-\x7f]*$/.test(text);
}

/** What a reader that ignores PAX shows instead: printable ASCII, cut to the field. */
function fallbackName(text: string, width: number): Buffer {
  return Buffer.from(text.replace(/[^\x20-\x7e]/g, '_').slice(0, width), 'latin1');
}

function paxRecordsFor(h: TarHeader): PaxRecords {
  const records: PaxRecords = new Map();
  if (!fitsField(h.name, 100)) records.set('path', encodeName(h.name));
  if (!fitsField(h.linkname, 100)) records.set('linkpath', encodeName(h.linkname));
  if (!octalFits('size', h.size)) records.set('size', Buffer.from(String(h.size)));
  if (!octalFits('uid', h.uid)) records.set('uid', Buffer.from(String(h.uid)));
  if (!octalFits('gid', h.gid)) records.set('gid', Buffer.from(String(h.gid)));
  if (h.mtime.nsec !== 0 || !octalFits('mtime', h.mtime.sec)) records.set('mtime', Buffer.from(formatPaxTime(h.mtime)));
  for (const [name, value] of Object.entries(h.xattrs)) records.set(`SCHILY.xattr.${name}`, value);
  return records;
}

function checkInteger(h: TarHeader, what: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new TarFormatError(`${h.name}: bad ${what} ${value}`);
}

function validate(h: TarHeader): void {
  checkInteger(h, 'size', h.size);
  checkInteger(h, 'uid', h.uid);
  checkInteger(h, 'gid', h.gid);
  checkInteger(h, 'devmajor', h.devmajor);
  checkInteger(h, 'devminor', h.devminor);
  if (!Number.isSafeInteger(h.mtime.sec) || !Number.isInteger(h.mtime.nsec) || h.mtime.nsec < 0 || h.mtime.nsec > 999_999_999) {
    throw new TarFormatError(`${h.name}: bad mtime ${h.mtime.sec}.${h.mtime.nsec}`);
  }
  if ((h.mode & ~0o7777) !== 0) throw new TarFormatError(`${h.name}: mode ${h.mode.toString(8)} has bits beyond 07777`);
  if (h.type !== 'file' && h.size !== 0) throw new TarFormatError(`${h.name}: only regular files have a body`);
  if (h.name === '' || h.name.includes('\0') || h.linkname.includes('\0')) throw new TarFormatError(`bad entry name ${JSON.stringify(h.name)}`);
  if ((h.type === 'dir') !== h.name.endsWith('/')) throw new TarFormatError(`${h.name}: only directory names end with '/'`);
}

/** A number as zero-padded octal and a NUL, written digit by digit (no string per field). */
function putNumber(out: Buffer, at: number, field: Field, value: number): void {
  if (!octalFits(field, value)) {
    writeNumber(out.subarray(at, at + BLOCK), field, value);
    return;
  }
  const [offset, width] = FIELDS[field];
  const start = at + offset;
  out[start + width - 1] = 0;
  let v = value;
  for (let i = start + width - 2; i >= start; i--) {
    out[i] = 0x30 + (v % 8);
    v = Math.floor(v / 8);
  }
}

function putText(out: Buffer, at: number, field: Field, text: string): void {
  const [offset, width] = FIELDS[field];
  if (fitsField(text, width)) out.write(text, at + offset, 'latin1');
  else fallbackName(text, width).copy(out, at + offset);
}

/**
 * Writes one ustar block at `at` of `out`, which must be zeroed there. The checksum is the
 * byte sum with its own field counted as spaces, written as GNU tar does: six octal digits,
 * NUL, space.
 */
function putUstar(out: Buffer, at: number, h: TarHeader, typeflag: number): void {
  putText(out, at, 'name', h.name);
  putNumber(out, at, 'mode', h.mode);
  putNumber(out, at, 'uid', h.uid);
  putNumber(out, at, 'gid', h.gid);
  putNumber(out, at, 'size', h.size);
  // The whole second, rounded down, so a reader without PAX is at most a second off.
  putNumber(out, at, 'mtime', h.mtime.sec);
  out[at + FIELDS.typeflag[0]] = typeflag;
  putText(out, at, 'linkname', h.linkname);
  USTAR_MAGIC.copy(out, at + FIELDS.magic[0]);
  putNumber(out, at, 'devmajor', h.devmajor);
  putNumber(out, at, 'devminor', h.devminor);
  let sum = 8 * 0x20;
  for (let i = at; i < at + BLOCK; i++) sum += out[i]!;
  const checksum = FIELDS.checksum[0];
  putNumber(out, at, 'checksum', sum);
  // putNumber wrote 7 digits and a NUL; the form is 6 digits, NUL, space.
  out.copyWithin(at + checksum, at + checksum + 1, at + checksum + 7);
  out[at + checksum + 6] = 0;
  out[at + checksum + 7] = 0x20;
}

/** `ustar\0` then version `00`: the magic and version fields, adjacent. */
const USTAR_MAGIC = Buffer.from('ustar\x0000', 'latin1');

function paxHeaderFor(h: TarHeader, size: number): TarHeader {
  // Go's archive/tar (so Docker) names PAX headers this way; the name carries no meaning.
  const base = h.name.replace(/\/$/, '').split('/').pop()!;
  return {
    name: `PaxHeaders.0/${base}`.replace(/[^\x20-\x7e]/g, '_').slice(0, 100),
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size,
    mtime: { sec: 0, nsec: 0 },
    linkname: '',
    devmajor: 0,
    devminor: 0,
    xattrs: {},
  };
}

/** The header blocks for one entry; its body (h.size bytes) and `padding(h.size)` follow. */
export function encodeTarHeader(h: TarHeader): Buffer {
  validate(h);
  const records = paxRecordsFor(h);
  const typeflag = TYPEFLAGS[h.type];
  if (records.size === 0) {
    const out = Buffer.alloc(BLOCK);
    putUstar(out, 0, h, typeflag);
    return out;
  }
  const data = encodePaxRecords(records);
  const main = BLOCK + data.length + padding(data.length).length;
  const out = Buffer.alloc(main + BLOCK);
  putUstar(out, 0, paxHeaderFor(h, data.length), PAX_TYPEFLAG);
  data.copy(out, BLOCK);
  putUstar(out, main, h, typeflag);
  return out;
}

/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE: Buffer = Buffer.alloc(2 * BLOCK);
