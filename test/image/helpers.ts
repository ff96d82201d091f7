// Shared by the image tests: archives built from headers, read back whole, and tools run.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach } from 'vitest';
import { END_OF_ARCHIVE, encodeTarHeader, padding, readTar, type TarHeader } from '../../src/image/tar/index.js';

export const isRoot = process.getuid?.() === 0;

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsbuild-image-'));
  made.push(dir);
  return dir;
}

/** A header with every field defaulted, as a test only names what it cares about. */
export function header(h: Partial<TarHeader> & Pick<TarHeader, 'name' | 'type'>): TarHeader {
  return { mode: 0o644, uid: 0, gid: 0, size: 0, mtime: { sec: 1_600_000_000, nsec: 0 }, linkname: '', devmajor: 0, devminor: 0, xattrs: {}, ...h };
}

export interface TestEntry {
  header: TarHeader;
  body?: Buffer;
}

/** An archive of the given entries; a body sets the size. */
export function archive(entries: TestEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const { header: h, body } of entries) {
    const full = body ? { ...h, size: body.length } : h;
    parts.push(encodeTarHeader(full));
    if (body) parts.push(body, padding(body.length));
  }
  parts.push(END_OF_ARCHIVE);
  return Buffer.concat(parts);
}

export async function readAll(bytes: Buffer | Readable): Promise<Array<{ header: TarHeader; body: Buffer }>> {
  const out: Array<{ header: TarHeader; body: Buffer }> = [];
  const source = Buffer.isBuffer(bytes) ? Readable.from([bytes]) : bytes;
  for await (const { header: h, body } of readTar(source)) {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk);
    out.push({ header: h, body: Buffer.concat(chunks) });
  }
  return out;
}

export function run(cmd: string, args: string[], opts: { input?: Buffer; cwd?: string } = {}): string {
  return execFileSync(cmd, args, {
    input: opts.input,
    cwd: opts.cwd,
    env: { ...process.env, TZ: 'UTC', LC_ALL: 'C.UTF-8' },
    maxBuffer: 64 << 20,
  }).toString('utf8');
}

export async function streamToBuffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every path below `dir` with its mode, mtime and (for files) content: equal strings mean nothing changed. */
export function snapshotOf(dir: string): string {
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((name) => {
      const abs = path.join(d, name);
      const st = lstatSync(abs);
      const line = `${path.relative(dir, abs)} ${st.mode} ${st.mtimeMs} ${st.isFile() ? readFileSync(abs, 'utf8') : ''}`;
      return st.isDirectory() ? [line, ...walk(abs)] : [line];
    });
  return [`. ${lstatSync(dir).mtimeMs}`, ...walk(dir)].join('\n');
}
