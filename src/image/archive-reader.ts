// Reads an image archive (docker-archive or OCI layout) from a tar file, a gzipped tar, or a
// directory, by path inside the archive. Tars are unpacked to a temp dir first, taking only
// regular files; links become in-archive aliases, so no archive path can reach outside it.
import { createReadStream, createWriteStream, mkdirSync, realpathSync, statSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TsbuildError } from '../errors.js';
import { uncompressedLayer } from './layer-input.js';
import { readTar } from './tar/index.js';

/** An image archive that is malformed or hostile; the message names the entry. */
export class ArchiveError extends TsbuildError {
  readonly code = 'bad-archive';
  readonly exitCode = 1;
}

export interface ArchiveReader {
  has(path: string): boolean;
  readFile(path: string): Promise<Buffer>;
  open(path: string): Readable;
  /** Removes the unpacked copy of a tar archive. */
  close(): Promise<void>;
}

const MAX_LINK_HOPS = 16;

/** `a/./b/` → `a/b`; refuses absolute paths and `..`, which have no place in an archive. */
export function archivePath(name: string, what = 'archive entry'): string {
  const trimmed = name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  const normal = posix.normalize(trimmed);
  if (name.startsWith('/') || normal === '..' || normal.startsWith('../') || name.split('/').includes('..')) {
    throw new ArchiveError(`${what} "${name}" points outside the archive`);
  }
  return normal === '.' ? '' : normal;
}

/** Opens a tar (plain or gzip, a file or a stream such as stdin) or a directory; `tempDir` is where a tar is unpacked. */
export async function openArchive(input: string | Readable, tempDir: string): Promise<ArchiveReader> {
  if (typeof input !== 'string') return tarReader(input, tempDir);
  let isDir: boolean;
  try {
    isDir = statSync(input).isDirectory();
  } catch (err) {
    throw new ArchiveError(`cannot read ${input}: ${(err as Error).message}`, { cause: err });
  }
  return isDir ? directoryReader(input) : await tarReader(input, tempDir);
}

function directoryReader(dir: string): ArchiveReader {
  const base = realpathSync(dir);
  const resolve = (path: string): string => {
    const full = join(base, archivePath(path, 'archive path'));
    let real: string;
    try {
      real = realpathSync(full);
    } catch {
      throw new ArchiveError(`archive has no "${path}"`);
    }
    if (real !== base && !real.startsWith(`${base}/`)) throw new ArchiveError(`archive path "${path}" is a link outside the archive`);
    return real;
  };
  return {
    has: (path) => {
      try {
        return statSync(resolve(path)).isFile();
      } catch {
        return false;
      }
    },
    readFile: (path) => readFile(resolve(path)),
    open: (path) => createReadStream(resolve(path)),
    close: async () => {},
  };
}

async function tarReader(file: string | Readable, tempDir: string): Promise<ArchiveReader> {
  const files = new Set<string>();
  const aliases = new Map<string, string>();
  try {
    for await (const { header, body } of readTar(uncompressedLayer(typeof file === 'string' ? createReadStream(file) : file))) {
      const name = archivePath(header.name);
      if (name === '') continue;
      if (header.type === 'dir') continue;
      if (header.type === 'symlink') {
        // Docker writes duplicate layers as `<id>/layer.tar -> ../<other>/layer.tar`.
        aliases.set(name, archivePath(posix.join(posix.dirname(name), header.linkname), `link target of "${header.name}"`));
      } else if (header.type === 'hardlink') {
        aliases.set(name, archivePath(header.linkname, `link target of "${header.name}"`));
      } else if (header.type === 'file') {
        const dest = join(tempDir, name);
        mkdirSync(dirname(dest), { recursive: true });
        await pipeline(body, createWriteStream(dest));
        files.add(name);
      } else {
        throw new ArchiveError(`archive entry "${header.name}" is a ${header.type}: image archives hold only files, dirs and links`);
      }
    }
  } catch (err) {
    await rm(tempDir, { recursive: true, force: true });
    throw err;
  }
  const resolve = (path: string): string => {
    let name = archivePath(path, 'archive path');
    for (let hops = 0; aliases.has(name); hops++) {
      if (hops === MAX_LINK_HOPS) throw new ArchiveError(`archive path "${path}" is a link loop`);
      name = aliases.get(name)!;
    }
    if (!files.has(name)) throw new ArchiveError(`archive has no "${path}"`);
    return join(tempDir, name);
  };
  return {
    has: (path) => {
      try {
        resolve(path);
        return true;
      } catch {
        return false;
      }
    },
    readFile: (path) => readFile(resolve(path)),
    open: (path) => createReadStream(resolve(path)),
    close: () => rm(tempDir, { recursive: true, force: true }),
  };
}
