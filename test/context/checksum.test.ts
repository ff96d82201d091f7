import { createReadStream, chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createReadStream as createNamedReadStream } from '../../src/byte-names.js';
import { MemoryStatCache, openContext, PatternMatcher, TreeHasher, type StatCache } from '../../src/context/index.js';

const work = mkdtempSync(join(tmpdir(), 'tsbuild-checksum-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function makeTree(name: string): string {
  const root = join(work, name);
  mkdirSync(join(root, 'src/lib'), { recursive: true });
  writeFileSync(join(root, 'src/a.ts'), 'a');
  writeFileSync(join(root, 'src/lib/b.ts'), 'b');
  writeFileSync(join(root, 'src/lib/b.test.ts'), 'test');
  return root;
}

async function digest(root: string, rel = 'src'): Promise<string> {
  const ctx = await openContext({ dir: root });
  return new TreeHasher(ctx).digest(rel);
}

describe('TreeHasher', () => {
  it('ignores mtime but not content, mode or names', async () => {
    const root = makeTree('meta');
    const base = await digest(root);
    utimesSync(join(root, 'src/a.ts'), 1, 1);
    expect(await digest(root)).toBe(base);
    chmodSync(join(root, 'src/a.ts'), 0o755);
    const chmodded = await digest(root);
    expect(chmodded).not.toBe(base);
    renameSync(join(root, 'src/lib/b.ts'), join(root, 'src/lib/c.ts'));
    expect(await digest(root)).not.toBe(chmodded);
  });

  it('gives two identical trees the same digest', async () => {
    expect(await digest(makeTree('one'))).toBe(await digest(makeTree('two')));
  });

  it('leaves excluded entries out of a directory digest', async () => {
    const root = makeTree('filtered');
    const ctx = await openContext({ dir: root });
    const filter = { matcher: new PatternMatcher(['**/*.test.ts']), base: '' };
    const withFilter = await new TreeHasher(ctx).digest('src', filter);
    rmSync(join(root, 'src/lib/b.test.ts'));
    const ctx2 = await openContext({ dir: root });
    expect(await new TreeHasher(ctx2).digest('src')).toBe(withFilter);
  });

  it('hashes file bodies in the addon to the same digests as hashing a stream of them in JS', async () => {
    // Sizes around the addon's 256 KiB read buffer and the old 64 KiB inline limit; a name
    // that is not UTF-8; a symlink and an empty file.
    const root = join(work, 'native');
    mkdirSync(join(root, 'd'), { recursive: true });
    const sizes = [0, 1, 64 * 1024 - 1, 64 * 1024, 256 * 1024 - 1, 256 * 1024, 256 * 1024 + 1, 3 * 256 * 1024 + 7];
    for (const size of sizes) {
      const body = Buffer.alloc(size);
      for (let i = 0; i < size; i++) body[i] = (i * 31 + size) & 0xff;
      writeFileSync(join(root, 'd', `f${size}`), body);
    }
    writeFileSync(Buffer.from(join(root, 'caf\xe9'), 'latin1'), 'latin1 name');
    symlinkSync('d/f1', join(root, 'link'));
    const inJs = await new TreeHasher(await openContext({ dir: root }), { openFile: (p) => createNamedReadStream(p) }).digest('.');
    expect(await digest(root, '.')).toBe(inJs);
    for (const size of sizes) {
      const ctx = await openContext({ dir: root });
      const js = await new TreeHasher(ctx, { openFile: (p) => createNamedReadStream(p) }).digest(`d/f${size}`);
      expect(await new TreeHasher(ctx).digest(`d/f${size}`)).toBe(js);
    }
  });

  it('reads no file contents when hashing an unchanged tree a second time with the stat cache', async () => {
    const root = makeTree('cached');
    const statCache = new MemoryStatCache();
    let reads = 0;
    const openFile = (p: string) => {
      reads++;
      return createReadStream(p);
    };
    const first = await new TreeHasher(await openContext({ dir: root, statCache }), { statCache, openFile }).digest('.');
    expect(reads).toBe(3);
    reads = 0;
    const second = await new TreeHasher(await openContext({ dir: root, statCache }), { statCache, openFile }).digest('.');
    expect(second).toBe(first);
    expect(reads).toBe(0);

    writeFileSync(join(root, 'src/a.ts'), 'changed');
    const third = await new TreeHasher(await openContext({ dir: root, statCache }), { statCache, openFile }).digest('.');
    expect(reads).toBe(1);
    expect(third).not.toBe(first);
  });

  it('answers unchanged directories from the directory cache, and always as a fresh hash would', async () => {
    const root = makeTree('dircache');
    mkdirSync(join(root, 'src/lib/deep'));
    writeFileSync(join(root, 'src/lib/deep/d.ts'), 'd');
    symlinkSync('a.ts', join(root, 'src/link'));
    const memory = new MemoryStatCache();
    let fileLookups = 0;
    const statCache: StatCache = {
      lookup: (path, st) => (fileLookups++, memory.lookup(path, st)),
      record: (path, st, digest) => memory.record(path, st, digest),
      lookupDir: (path, fingerprint) => memory.lookupDir(path, fingerprint),
      recordDir: (path, fingerprint, digest) => memory.recordDir(path, fingerprint, digest),
      flush: () => memory.flush(),
    };
    const cached = async (): Promise<string> => new TreeHasher(await openContext({ dir: root, statCache }), { statCache }).digest('.');
    const fresh = async (): Promise<string> => new TreeHasher(await openContext({ dir: root })).digest('.');
    expect(await cached()).toBe(await fresh());
    fileLookups = 0;
    expect(await cached()).toBe(await fresh());
    expect(fileLookups).toBe(0);

    const changes: [string, () => void][] = [
      ['a deep file written', () => writeFileSync(join(root, 'src/lib/deep/d.ts'), 'd2')],
      ['a file touched', () => utimesSync(join(root, 'src/a.ts'), 5, 5)],
      ['a mode changed', () => chmodSync(join(root, 'src/lib/b.ts'), 0o600)],
      ['a directory mode changed', () => chmodSync(join(root, 'src/lib/deep'), 0o700)],
      ['a file renamed', () => renameSync(join(root, 'src/lib/b.ts'), join(root, 'src/lib/c.ts'))],
      ['a file added', () => writeFileSync(join(root, 'src/new.ts'), 'n')],
      ['a file removed', () => rmSync(join(root, 'src/new.ts'))],
      ['a symlink retargeted', () => (rmSync(join(root, 'src/link')), symlinkSync('lib', join(root, 'src/link')))],
      ['an ignore file added', () => writeFileSync(join(root, '.dockerignore'), 'src/lib\n!src/lib/deep\n')],
      ['a file below a re-included dir written', () => writeFileSync(join(root, 'src/lib/deep/d.ts'), 'd3')],
      ['the ignore file changed', () => writeFileSync(join(root, '.dockerignore'), 'src/lib/deep\n')],
    ];
    for (const [what, change] of changes) {
      const before = await cached();
      change();
      const after = await cached();
      expect(after, what).toBe(await fresh());
      if (what !== 'a file touched') expect(after, what).not.toBe(before);
      fileLookups = 0;
      expect(await cached(), what).toBe(after);
      expect(fileLookups, what).toBe(0);
    }
  });

  it('keys the directory cache on the ignore rules too, which may live outside the context', async () => {
    const root = makeTree('dircache-rules');
    const dockerfile = join(work, 'dircache-rules.Dockerfile');
    writeFileSync(dockerfile, 'FROM scratch\n');
    const statCache = new MemoryStatCache();
    const hash = async (cache?: StatCache): Promise<string> =>
      new TreeHasher(await openContext({ dir: root, dockerfile, ...(cache ? { statCache: cache } : {}) }), cache ? { statCache: cache } : {}).digest('.');
    const all = await hash(statCache);
    writeFileSync(`${dockerfile}.dockerignore`, 'src/lib/b.test.ts\n');
    const filtered = await hash(statCache);
    expect(filtered).not.toBe(all);
    expect(filtered).toBe(await hash());
  });
});
