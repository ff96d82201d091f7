// Helpers shared by the COPY/ADD table test and its BuildKit recorder: materialize a
// case's context and parent filesystem, and read a produced tree back in a comparable form.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lchownSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pack } from 'tar-stream';
import { gzipSync } from 'node:zlib';

/** One filesystem entry of a case (context, parent root or archive member). */
export interface FixtureEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'archive';
  mode?: number;
  uid?: number;
  gid?: number;
  content?: string;
  target?: string;
  /** For `archive`: how it is compressed, and the tar members. */
  compression?: 'gzip' | 'bzip2' | 'xz' | 'zstd' | 'none';
  entries?: FixtureEntry[];
}

/** One entry of a produced tree, as compared by the tests (never mtime). */
export interface TreeEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: string;
  uid: number;
  gid: number;
  sha256?: string;
  target?: string;
}

export interface CopyCase {
  name: string;
  description: string;
  context: FixtureEntry[];
  parent: FixtureEntry[];
  op: {
    instruction: 'COPY' | 'ADD';
    sources: string[];
    dest: string;
    workdir?: string;
    chown?: string;
    chmod?: string;
    exclude?: string[];
    parents?: boolean;
    link?: boolean;
    unpack?: boolean;
    heredocs?: { name: string; content: string }[];
  };
  /** `buildkit` when recorded from a real BuildKit run, `documented` when derived from the reference. */
  source: 'buildkit' | 'documented';
  expected?: TreeEntry[];
  /** The copier must fail with this exit code and a message naming `mentions`. */
  expectedError?: { exitCode: 1 | 2; mentions: string };
  /** BuildKit's own error text, when the recording failed as expected. */
  buildkitError?: string;
}

export function tarBytes(entries: FixtureEntry[]): Promise<Buffer> {
  const p = pack();
  for (const e of entries) {
    const base = { name: e.path, mode: e.mode ?? (e.type === 'dir' ? 0o755 : 0o644), uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: new Date(0) };
    if (e.type === 'dir') p.entry({ ...base, type: 'directory' });
    else if (e.type === 'symlink') p.entry({ ...base, type: 'symlink', linkname: e.target ?? '' });
    else p.entry({ ...base, type: 'file' }, e.content ?? '');
  }
  p.finalize();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    p.on('data', (c: unknown) => chunks.push(c as Buffer));
    p.on('end', () => resolve(Buffer.concat(chunks)));
    p.on('error', reject);
  });
}

async function archiveBytes(e: FixtureEntry): Promise<Buffer> {
  const tar = await tarBytes(e.entries ?? []);
  switch (e.compression ?? 'none') {
    case 'none':
      return tar;
    case 'gzip':
      return gzipSync(tar);
    case 'bzip2':
      return execFileSync('bzip2', ['-c'], { input: tar });
    case 'xz':
      return execFileSync('xz', ['-c'], { input: tar });
    case 'zstd':
      return execFileSync('zstd', ['-c', '-q'], { input: tar });
  }
}

/** Creates the entries under `root` (paths may be absolute: they are taken as root-relative). */
export async function materialize(root: string, entries: FixtureEntry[]): Promise<void> {
  mkdirSync(root, { recursive: true });
  for (const e of entries) {
    const p = join(root, e.path);
    mkdirSync(dirname(p), { recursive: true });
    if (e.type === 'dir') mkdirSync(p, { recursive: true });
    else if (e.type === 'symlink') symlinkSync(e.target ?? '', p);
    else writeFileSync(p, e.type === 'archive' ? await archiveBytes(e) : (e.content ?? ''));
    if (e.type !== 'symlink') chmodSync(p, e.mode ?? (e.type === 'dir' ? 0o755 : 0o644));
    lchownSync(p, e.uid ?? 0, e.gid ?? 0);
  }
}

/** Reads every entry under `root` (not the root itself), sorted by path. */
export function readTree(root: string, rel = ''): TreeEntry[] {
  const out: TreeEntry[] = [];
  for (const name of readdirSync(join(root, rel)).sort()) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const abs = join(root, path);
    const st = lstatSync(abs);
    const base = { path, mode: (st.mode & 0o7777).toString(8).padStart(4, '0'), uid: st.uid, gid: st.gid };
    if (st.isDirectory()) {
      out.push({ ...base, type: 'dir' });
      out.push(...readTree(root, path));
    } else if (st.isSymbolicLink()) out.push({ ...base, type: 'symlink', target: readlinkSync(abs) });
    else out.push({ ...base, type: 'file', sha256: createHash('sha256').update(readFileSync(abs)).digest('hex') });
  }
  return out;
}

/** Loads every case JSON in testdata/copy-cases. */
export function loadCases(dir: string): CopyCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CopyCase);
}
