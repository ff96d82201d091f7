// Streaming tar reader: ustar, PAX (`x` per entry, `g` global) and the GNU long name and
// long link records (`L`, `K`) other tools write. Headers are checksum-verified; bodies
// stream through without being held in memory.
import { decodeName } from '../../byte-names.js';
import { ByteSource } from './byte-source.js';
import { decodePaxRecords, parsePaxTime, type PaxRecords } from './pax.js';
import { BLOCK, TarFormatError, type TarEntryType, type TarHeader } from './types.js';
import { checksumMatches, readBytes, readNumber } from './ustar.js';

export interface TarEntry {
  header: TarHeader;
  /** The body, `header.size` bytes. Read it before asking for the next entry, or it is skipped. */
  body: AsyncIterable<Buffer>;
}

const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file', // contiguous file: a regular file everywhere that matters
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
};

/** Size of a block-padded body. */
function blocks(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

async function readBody(src: ByteSource, size: number, what: string): Promise<Buffer> {
  // Extension bodies are held whole; a cap keeps a hostile header from exhausting memory.
  if (size > 16 * 1024 * 1024) throw new TarFormatError(`${what} of ${size} bytes is too large`);
  const data = await src.read(blocks(size));
  if (data.length < blocks(size)) throw new TarFormatError(`archive ends inside a ${what}`);
  return data.subarray(0, size);
}

function decodeBlock(block: Buffer, extended: PaxRecords, longName: Buffer | undefined, longLink: Buffer | undefined): TarHeader {
  const typeflag = String.fromCharCode(block[156]!);
  const type = TYPES[typeflag];
  if (type === undefined) throw new TarFormatError(`unsupported tar entry type ${JSON.stringify(typeflag)}`);
  const magic = readBytes(block, 'magic').toString('latin1');
  // POSIX ustar ("ustar\0") has a name prefix field; the old GNU format ("ustar  ") keeps other data there.
  const prefix = magic === 'ustar' && readBytes(block, 'version').toString('latin1') === '00' ? readBytes(block, 'prefix') : Buffer.alloc(0);
  let name = longName ?? (prefix.length > 0 ? Buffer.concat([prefix, Buffer.from('/'), readBytes(block, 'name')]) : readBytes(block, 'name'));
  let linkname = longLink ?? readBytes(block, 'linkname');
  let size = readNumber(block, 'size');
  let uid = readNumber(block, 'uid');
  let gid = readNumber(block, 'gid');
  let mtime = { sec: readNumber(block, 'mtime'), nsec: 0 };
  let devmajor = type === 'char' || type === 'block' ? readNumber(block, 'devmajor') : 0;
  let devminor = type === 'char' || type === 'block' ? readNumber(block, 'devminor') : 0;
  const xattrs: Record<string, Buffer> = {};
  for (const [key, value] of extended) {
    const text = () => value.toString('utf8');
    const int = () => {
      const n = Number(text());
      if (!/^\d+$/.test(text()) || !Number.isSafeInteger(n)) throw new TarFormatError(`bad pax ${key} ${JSON.stringify(text())}`);
      return n;
    };
    if (key === 'path') name = value;
    else if (key === 'linkpath') linkname = value;
    else if (key === 'size') size = int();
    else if (key === 'uid') uid = int();
    else if (key === 'gid') gid = int();
    else if (key === 'mtime') mtime = parsePaxTime(text());
    else if (key === 'SCHILY.devmajor') devmajor = int();
    else if (key === 'SCHILY.devminor') devminor = int();
    else if (key.startsWith('SCHILY.xattr.')) xattrs[key.slice('SCHILY.xattr.'.length)] = value;
    else if (key.startsWith('GNU.sparse.')) throw new TarFormatError('sparse files are not supported');
    // Other keys (atime, ctime, uname, gname, comment, charset, LIBARCHIVE.*) carry nothing a layer keeps.
  }
  // Only regular files have a body; like Go and GNU tar, a size on any other type is ignored.
  if (type !== 'file') size = 0;
  let nameText = decodeName(name);
  if (type === 'dir' && !nameText.endsWith('/')) nameText += '/';
  return {
    name: nameText,
    type,
    mode: readNumber(block, 'mode') & 0o7777,
    uid,
    gid,
    size,
    mtime,
    linkname: decodeName(linkname),
    devmajor,
    devminor,
    xattrs,
  };
}

/**
 * Entries of a tar stream, in order. The archive ends at the first zero block (GNU tar
 * accepts one where two belong); whatever follows is read and dropped, so a compressed
 * stream is checked to its end.
 */
export async function* readTar(source: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<TarEntry> {
  const src = new ByteSource(source);
  const global: PaxRecords = new Map();
  let extended: PaxRecords | undefined;
  let longName: Buffer | undefined;
  let longLink: Buffer | undefined;
  try {
    for (;;) {
      const block = await src.read(BLOCK);
      // A stream cut right after an entry is accepted as ended, as GNU tar, Go and Python do.
      if (block.length === 0 && extended === undefined && longName === undefined && longLink === undefined) break;
      if (block.length < BLOCK) throw new TarFormatError('archive ends inside a header');
      if (block.every((b) => b === 0)) break;
      if (!checksumMatches(block)) throw new TarFormatError('header checksum mismatch: not a tar archive, or a corrupt one');
      const typeflag = String.fromCharCode(block[156]!);
      const size = readNumber(block, 'size');
      if (typeflag === 'x' || typeflag === 'g') {
        const records = decodePaxRecords(await readBody(src, size, 'pax header'));
        if (typeflag === 'g') for (const [k, v] of records) global.set(k, v);
        else extended = new Map([...(extended ?? []), ...records]);
        continue;
      }
      if (typeflag === 'L' || typeflag === 'K') {
        const data = await readBody(src, size, 'gnu long name');
        const nul = data.indexOf(0);
        if (typeflag === 'L') longName = nul < 0 ? data : data.subarray(0, nul);
        else longLink = nul < 0 ? data : data.subarray(0, nul);
        continue;
      }
      const header = decodeBlock(block, new Map([...global, ...(extended ?? [])]), longName, longLink);
      extended = longName = longLink = undefined;
      let consumed = 0;
      const body = (async function* () {
        for await (const chunk of src.chunks(header.size - consumed)) {
          consumed += chunk.length;
          yield chunk;
        }
        if (consumed < header.size) throw new TarFormatError(`archive ends inside the body of ${header.name}`);
      })();
      yield { header, body };
      if (consumed < header.size) {
        for await (const chunk of src.chunks(header.size - consumed)) consumed += chunk.length;
        if (consumed < header.size) throw new TarFormatError(`archive ends inside the body of ${header.name}`);
      }
      const pad = blocks(header.size) - header.size;
      if ((await src.read(pad)).length < pad) throw new TarFormatError(`archive ends after the body of ${header.name}`);
    }
    await src.drain();
  } finally {
    await src.close();
  }
}
