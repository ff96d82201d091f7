import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadIgnoreFile, parseDockerignore } from '../../src/context/dockerignore-file.js';

const work = mkdtempSync(join(tmpdir(), 'tsbuild-ignore-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('parseDockerignore', () => {
  it('strips a BOM, skips column-0 comments and blank lines, and trims', () => {
    expect(parseDockerignore('\uFEFF# comment\n\n  node_modules  \r\n*.log\n')).toEqual(['node_modules', '*.log']);
  });

  it('keeps a # that is not in column 0 as part of a pattern', () => {
    expect(parseDockerignore(' #notacomment\n')).toEqual(['#notacomment']);
  });

  it('splits a leading ! off before cleaning, and drops one leading slash', () => {
    expect(parseDockerignore('! /docs/./README.md \n/build/\n//x\n')).toEqual(['!docs/README.md', 'build', 'x']);
  });
});

describe('loadIgnoreFile', () => {
  it('prefers <Dockerfile>.dockerignore beside the Dockerfile over the context one', async () => {
    const ctx = join(work, 'ctx');
    mkdirSync(join(ctx, 'build'), { recursive: true });
    writeFileSync(join(ctx, '.dockerignore'), 'from-context\n');
    writeFileSync(join(ctx, 'build', 'app.Dockerfile'), 'FROM scratch\n');
    writeFileSync(join(ctx, 'build', 'app.Dockerfile.dockerignore'), 'from-dockerfile\n');
    expect((await loadIgnoreFile(ctx, join(ctx, 'build', 'app.Dockerfile'))).patterns).toEqual(['from-dockerfile']);
    expect((await loadIgnoreFile(ctx, join(ctx, 'Dockerfile'))).patterns).toEqual(['from-context']);
    expect(await loadIgnoreFile(join(work, 'none'), null)).toEqual({ file: null, patterns: [] });
  });
});
