// Writes an image archive as a tar file or a directory. Either way the output appears only
// when complete: content goes to a temp name beside it (fsynced) and is renamed at the end,
// so a save killed half way leaves no half-written archive under the asked name.
import { once } from 'node:events';
import { createWriteStream, mkdirSync, renameSync, rmdirSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fsyncDir, tempName } from '../fs/index.js';
import { ArchiveError } from './archive-reader.js';
import { END_OF_ARCHIVE, encodeTarHeader, padding, type TarHeader } from './tar/index.js';

export interface ArchiveWriter {
  addFile(path: string, data: Uint8Array): Promise<void>;
  /** A file whose bytes come from a stream; `size` must be exact (tar headers come first). */
  addStream(path: string, size: number, stream: Readable): Promise<void>;
  /** Publishes the archive under its final name. */
  finish(): Promise<void>;
  /** Removes what was written. */
  abort(): Promise<void>;
}

/** A directory when the output names an existing directory or ends with `/`, else a tar file. */
export function openArchiveWriter(output: string): ArchiveWriter {
  let isDir = output.endsWith('/');
  try {
    isDir ||= statSync(output).isDirectory();
  } catch {
    // Does not exist yet: a tar file unless it ends with a slash.
  }
  return isDir ? directoryWriter(output.replace(/\/+$/, '')) : tarWriter(output);
}

function header(name: string, type: 'file' | 'dir', size: number): TarHeader {
  return {
    name: type === 'dir' ? `${name}/` : name,
    type,
    mode: type === 'dir' ? 0o755 : 0o644,
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

async function write(out: WriteStream, chunk: Uint8Array): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function tarWriter(output: string): ArchiveWriter {
  const temp = join(dirname(output), `.${tempName()}.tmp`);
  const out = createWriteStream(temp);
  // A failed or aborted stream rejects the next write instead of crashing the process with an
  // 'error' event nobody listens to (a write may be under way when abort() destroys it).
  let failed: Error | undefined;
  out.on('error', (err) => {
    failed ??= err;
  });
  const put = async (chunk: Uint8Array): Promise<void> => {
    if (failed) throw failed;
    await write(out, chunk);
  };
  const dirs = new Set<string>();
  const addDirs = async (path: string): Promise<void> => {
    const parts = path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      await put(encodeTarHeader(header(dir, 'dir', 0)));
    }
  };
  return {
    async addFile(path, data) {
      await addDirs(path);
      await put(encodeTarHeader(header(path, 'file', data.length)));
      await put(data);
      await put(padding(data.length));
    },
    async addStream(path, size, stream) {
      await addDirs(path);
      await put(encodeTarHeader(header(path, 'file', size)));
      let written = 0;
      for await (const chunk of stream) {
        written += (chunk as Buffer).length;
        if (written > size) break;
        await put(chunk as Buffer);
      }
      if (written !== size) throw new ArchiveError(`${path}: expected ${size} bytes, the source gave ${written}`);
      await put(padding(size));
    },
    async finish() {
      await put(END_OF_ARCHIVE);
      out.end();
      await once(out, 'finish');
      await fsyncFile(temp);
      renameSync(temp, output);
      fsyncDir(dirname(output));
    },
    async abort() {
      failed ??= new ArchiveError(`writing ${output} was aborted`);
      out.destroy();
      rmSync(temp, { force: true });
    },
  };
}

function directoryWriter(output: string): ArchiveWriter {
  const temp = join(dirname(output), `.${tempName()}.tmp`);
  mkdirSync(temp, { recursive: true });
  const place = (path: string): string => {
    const dest = join(temp, path);
    mkdirSync(dirname(dest), { recursive: true });
    return dest;
  };
  return {
    async addFile(path, data) {
      const dest = place(path);
      await writeFile(dest, data);
      await fsyncFile(dest);
    },
    async addStream(path, size, stream) {
      const dest = place(path);
      await pipeline(stream, createWriteStream(dest));
      const written = statSync(dest).size;
      if (written !== size) throw new ArchiveError(`${path}: expected ${size} bytes, the source gave ${written}`);
      await fsyncFile(dest);
    },
    async finish() {
      // An existing empty output dir (made by the caller) is replaced; a non-empty one is refused by rename.
      try {
        rmdirSync(output);
      } catch {
        // Absent, or not empty: renameSync below reports the latter.
      }
      try {
        renameSync(temp, output);
      } catch (err) {
        throw new ArchiveError(`cannot write ${output}: it exists and is not empty`, { cause: err });
      }
      fsyncDir(dirname(output));
    },
    async abort() {
      rmSync(temp, { recursive: true, force: true });
    },
  };
}
