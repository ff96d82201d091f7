import { renameSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sourceChecksum, type CopyRequest } from '../../src/copier/index.js';
import { copyRequest, scratchDir, writeTree } from './helpers.js';

const work = scratchDir('srcsum');
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function sum(ctx: string, sources: string[], dest: string, extra: Partial<CopyRequest> = {}): Promise<string> {
  return sourceChecksum(await copyRequest(ctx, sources, dest, extra));
}

describe('sourceChecksum', () => {
  it('is stable for an unchanged context and ignores touched mtimes', async () => {
    const ctx = writeTree(join(work, 'stable'), { 'a.txt': 'a', 'b.txt': 'b' });
    const first = await sum(ctx, ['*.txt'], '/d/');
    utimesSync(join(ctx, 'a.txt'), 5, 5);
    expect(await sum(ctx, ['*.txt'], '/d/')).toBe(first);
  });

  it('changes when a wildcard match is renamed, even with the same content', async () => {
    const ctx = writeTree(join(work, 'rename'), { 'a.txt': 'same' });
    const before = await sum(ctx, ['*.txt'], '/d/');
    renameSync(join(ctx, 'a.txt'), join(ctx, 'z.txt'));
    expect(await sum(ctx, ['*.txt'], '/d/')).not.toBe(before);
  });

  it('changes when a new file starts matching a wildcard', async () => {
    const ctx = writeTree(join(work, 'newmatch'), { 'a.txt': 'a' });
    const before = await sum(ctx, ['*.txt'], '/d/');
    writeFileSync(join(ctx, 'b.txt'), 'b');
    expect(await sum(ctx, ['*.txt'], '/d/')).not.toBe(before);
  });

  it('ignores files the step does not select or excludes', async () => {
    const ctx = writeTree(join(work, 'unselected'), { 'src/a.go': 'a', 'src/a_test.go': 't', 'README.md': 'r' });
    const before = await sum(ctx, ['src'], '/app/', { exclude: ['**/*_test.go'] });
    writeFileSync(join(ctx, 'README.md'), 'changed');
    writeFileSync(join(ctx, 'src/a_test.go'), 'changed');
    expect(await sum(ctx, ['src'], '/app/', { exclude: ['**/*_test.go'] })).toBe(before);
    writeFileSync(join(ctx, 'src/a.go'), 'changed');
    expect(await sum(ctx, ['src'], '/app/', { exclude: ['**/*_test.go'] })).not.toBe(before);
  });

  it('changes with the options that change the result', async () => {
    const ctx = writeTree(join(work, 'options'), { f: 'f' });
    const base = await sum(ctx, ['f'], '/d/');
    const variants = await Promise.all([
      sum(ctx, ['f'], '/e/'),
      sum(ctx, ['f'], '/d/', { chown: '1000' }),
      sum(ctx, ['f'], '/d/', { chmod: '755' }),
      sum(ctx, ['f'], '/d/', { parents: true }),
      sum(ctx, ['f'], '/d/', { add: {} }),
    ]);
    expect(new Set([base, ...variants]).size).toBe(6);
  });

  it('covers heredoc bodies', async () => {
    const ctx = writeTree(join(work, 'heredoc'), { f: '' });
    const a = await sum(ctx, [], '/d/', { heredocSources: [{ name: 'x', content: 'one' }] });
    const b = await sum(ctx, [], '/d/', { heredocSources: [{ name: 'x', content: 'two' }] });
    expect(a).not.toBe(b);
  });
});
