import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { contextFromTarStream, ContextError, openContext } from '../../src/context/index.js';
import { tarBytes } from '../copier/fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'tsbuild-context-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function tree(name: string, files: Record<string, string>): string {
  const root = join(work, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe('openContext', () => {
  it('lists dot files and symlinks without following them, sorted by path', async () => {
    const root = tree('plain', { '.env': 'x', 'src/a.ts': 'a', Dockerfile: 'FROM scratch' });
    symlinkSync('/etc', join(root, 'etc-link'));
    const ctx = await openContext({ dir: root });
    expect(ctx.list().map((e) => `${e.rel}:${e.type}`)).toEqual(['.env:file', 'Dockerfile:file', 'etc-link:symlink', 'src:dir', 'src/a.ts:file']);
  });

  it('applies .dockerignore to everything, the Dockerfile and the ignore file included (as BuildKit)', async () => {
    const root = tree('ignored', {
      '.dockerignore': 'Dockerfile\n.dockerignore\n*.log\nnode_modules\n',
      Dockerfile: 'FROM scratch',
      'a.log': '',
      'keep.txt': '',
      'node_modules/x/index.js': '',
    });
    const ctx = await openContext({ dir: root, dockerfile: join(root, 'Dockerfile') });
    expect(ctx.list().map((e) => e.rel)).toEqual(['keep.txt']);
    expect(ctx.isIncluded('node_modules/x/index.js')).toBe(false);
    expect(ctx.isIncluded('/keep.txt')).toBe(true);
  });

  it('re-includes an exception inside an excluded directory, together with that directory', async () => {
    const root = tree('exception', { '.dockerignore': 'docs\n!docs/README.md\n', 'docs/README.md': 'r', 'docs/other.md': 'o' });
    const ctx = await openContext({ dir: root });
    expect(ctx.list().map((e) => e.rel)).toEqual(['.dockerignore', 'docs', 'docs/README.md']);
    expect((await ctx.children('docs')).map((e) => e.rel)).toEqual(['docs/README.md']);
  });

  it('reports a bad .dockerignore pattern as a context error naming the file', async () => {
    const root = tree('bad', { '.dockerignore': '[\n', f: '' });
    await expect(openContext({ dir: root })).rejects.toThrow(/invalid pattern in .*\.dockerignore/);
  });

  it('refuses a context that is not a directory', async () => {
    await expect(openContext({ dir: join(work, 'missing') })).rejects.toBeInstanceOf(ContextError);
  });
});

describe('contextFromTarStream', () => {
  it('extracts a gzip tar from stdin into a temp context and removes it on dispose', async () => {
    const tar = await tarBytes([
      { path: 'Dockerfile', type: 'file', content: 'FROM scratch' },
      { path: 'app/main.js', type: 'file', content: 'x' },
    ]);
    const ctx = await contextFromTarStream(Readable.from([gzipSync(tar)]));
    expect(ctx.list().map((e) => e.rel)).toEqual(['Dockerfile', 'app', 'app/main.js']);
    await ctx.dispose();
    expect(existsSync(ctx.root)).toBe(false);
  });

  it('accepts an xz-compressed tar', async () => {
    const tar = await tarBytes([{ path: 'f', type: 'file', content: 'x' }]);
    const ctx = await contextFromTarStream(Readable.from([execFileSync('xz', ['-c'], { input: tar })]));
    expect(ctx.list().map((e) => e.rel)).toEqual(['f']);
    await ctx.dispose();
  });

  it('treats stdin that is not an archive as a Dockerfile with an empty context', async () => {
    const ctx = await contextFromTarStream(Readable.from([Buffer.from('FROM busybox\nRUN true\n')]));
    expect(ctx.list().map((e) => e.rel)).toEqual(['Dockerfile']);
    await ctx.dispose();
  });

  it('refuses a tar whose entries climb out with ../', async () => {
    const tar = await tarBytes([{ path: '../../escaped', type: 'file', content: 'pwned' }]);
    await expect(contextFromTarStream(Readable.from([tar]))).rejects.toThrow(/refusing archive entry "..\/..\/escaped"/);
    expect(existsSync(join(tmpdir(), 'escaped'))).toBe(false);
  });

  it('refuses a tar that writes through a symlink it planted', async () => {
    const tar = await tarBytes([
      { path: 'link', type: 'symlink', target: '/tmp' },
      { path: 'link/planted', type: 'file', content: 'pwned' },
    ]);
    await expect(contextFromTarStream(Readable.from([tar]))).rejects.toThrow(/parent link is a symlink/);
    expect(existsSync('/tmp/planted')).toBe(false);
  });
});
