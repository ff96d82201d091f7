// Builds small tars by hand, for archives no well-behaved tool would write.
import { END_OF_ARCHIVE, encodeTarHeader, padding, type TarEntryType } from '../../src/image/tar/index.js';

export interface HandEntry {
  name: string;
  type?: TarEntryType;
  body?: string | Buffer;
  linkname?: string;
}

export function handTar(entries: readonly HandEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const type = e.type ?? 'file';
    parts.push(
      encodeTarHeader({
        name: e.name,
        type,
        mode: type === 'dir' ? 0o755 : 0o644,
        uid: 0,
        gid: 0,
        size: type === 'file' ? body.length : 0,
        mtime: { sec: 0, nsec: 0 },
        linkname: e.linkname ?? '',
        devmajor: 0,
        devminor: 0,
        xattrs: {},
      }),
    );
    if (type === 'file') parts.push(body, padding(body.length));
  }
  parts.push(END_OF_ARCHIVE);
  return Buffer.concat(parts);
}
