// TarHeader -> header bytes: a PAX `x` header when anything does not fit ustar exactly,
// then the ustar block. Output depends only on the header, so equal entries always give
// equal bytes (PAX keys sorted, uname/gname empty, a fixed PAX header name and mode).
import { encodeName } from '../../byte-names.js';
import { encodePaxRecords, formatPaxTime, type PaxRecords } from './pax.js';
import { BLOCK, TarFormatError, padding, type TarEntryType, type TarHeader } from './types.js';
import { octalFits, sealBlock, writeNumber, writeString } from './ustar.js';

const TYPEFLAGS: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

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

function validate(h: TarHeader): void {
  const ints: Array<[string, number]> = [
    ['size', h.size],
    ['uid', h.uid],
    ['gid', h.gid],
    ['devmajor', h.devmajor],
    ['devminor', h.devminor],
  ];
  for (const [what, value] of ints) {
    if (!Number.isSafeInteger(value) || value < 0) throw new TarFormatError(`${h.name}: bad ${what} ${value}`);
  }
  if (!Number.isSafeInteger(h.mtime.sec) || !Number.isInteger(h.mtime.nsec) || h.mtime.nsec < 0 || h.mtime.nsec > 999_999_999) {
    throw new TarFormatError(`${h.name}: bad mtime ${h.mtime.sec}.${h.mtime.nsec}`);
  }
  if ((h.mode & ~0o7777) !== 0) throw new TarFormatError(`${h.name}: mode ${h.mode.toString(8)} has bits beyond 07777`);
  if (h.type !== 'file' && h.size !== 0) throw new TarFormatError(`${h.name}: only regular files have a body`);
  if (h.name === '' || h.name.includes('\0') || h.linkname.includes('\0')) throw new TarFormatError(`bad entry name ${JSON.stringify(h.name)}`);
  if ((h.type === 'dir') !== h.name.endsWith('/')) throw new TarFormatError(`${h.name}: only directory names end with '/'`);
}

function ustarBlock(h: TarHeader, typeflag: string): Buffer {
  const block = Buffer.alloc(BLOCK);
  writeString(block, 'name', fitsField(h.name, 100) ? Buffer.from(h.name, 'latin1') : fallbackName(h.name, 100));
  writeNumber(block, 'mode', h.mode);
  writeNumber(block, 'uid', h.uid);
  writeNumber(block, 'gid', h.gid);
  writeNumber(block, 'size', h.size);
  // The whole second, rounded down, so a reader without PAX is at most a second off.
  writeNumber(block, 'mtime', h.mtime.sec);
  writeString(block, 'typeflag', Buffer.from(typeflag, 'latin1'));
  writeString(block, 'linkname', fitsField(h.linkname, 100) ? Buffer.from(h.linkname, 'latin1') : fallbackName(h.linkname, 100));
  writeString(block, 'magic', Buffer.from('ustar\0', 'latin1'));
  writeString(block, 'version', Buffer.from('00', 'latin1'));
  writeNumber(block, 'devmajor', h.devmajor);
  writeNumber(block, 'devminor', h.devminor);
  sealBlock(block);
  return block;
}

/** The header blocks for one entry; its body (h.size bytes) and `padding(h.size)` follow. */
export function encodeTarHeader(h: TarHeader): Buffer {
  validate(h);
  const records = paxRecordsFor(h);
  const main = ustarBlock(h, TYPEFLAGS[h.type]);
  if (records.size === 0) return main;
  const data = encodePaxRecords(records);
  // Go's archive/tar (so Docker) names PAX headers this way; the name carries no meaning.
  const base = h.name.replace(/\/$/, '').split('/').pop()!;
  const pax = ustarBlock(
    {
      name: `PaxHeaders.0/${base}`.replace(/[^\x20-\x7e]/g, '_').slice(0, 100),
      type: 'file',
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: data.length,
      mtime: { sec: 0, nsec: 0 },
      linkname: '',
      devmajor: 0,
      devminor: 0,
      xattrs: {},
    },
    'x',
  );
  return Buffer.concat([pax, data, padding(data.length), main]);
}

/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE: Buffer = Buffer.alloc(2 * BLOCK);
