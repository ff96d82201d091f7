// Contexts and archives that try to make COPY/ADD read or write outside their roots.
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyToLayer, CopyError } from '../../src/copier/index.js';
import { materialize } from './fixtures.js';
import { copyRequest, scratchDir, writeTree } from './helpers.js';

const work = scratchDir('hostile');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('hostile sources', () => {
  it('refuses a source symlink that points at /etc/shadow', async () => {
    const ctx = writeTree(join(work, 'shadow'), { ok: '' });
    symlinkSync('/etc/shadow', join(ctx, 'secret'));
    const req = await copyRequest(ctx, ['secret'], '/x');
    const err = await copyToLayer(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CopyError);
    expect((err as CopyError).message).toMatch(/"secret".*points outside the build context/);
    expect(readdirSync(req.outDir)).toEqual([]);
  });

  it('refuses a relative symlink chain that climbs out of the context', async () => {
    const ctx = writeTree(join(work, 'chain', 'ctx'), { ok: '' });
    writeTree(join(work, 'chain'), { 'outside.txt': 'private' });
    symlinkSync('../outside.txt', join(ctx, 'hop2'));
    symlinkSync('hop2', join(ctx, 'hop1'));
    await expect(copyToLayer(await copyRequest(ctx, ['hop1'], '/x'))).rejects.toThrow(/points outside the build context/);
  });

  it('never reads outside the context for COPY ../x: the leading ../ is stripped', async () => {
    const ctx = writeTree(join(work, 'dotdot', 'ctx'), { inside: '' });
    writeTree(join(work, 'dotdot'), { x: 'outside' });
    const err = await copyToLayer(await copyRequest(ctx, ['../x'], '/x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CopyError);
    expect((err as CopyError).exitCode).toBe(1);
    expect((err as CopyError).message).toContain('"../x" not found in the build context');
  });

  it('copies a symlink nested in a copied directory as a link, without reading its target', async () => {
    const ctx = writeTree(join(work, 'nested'), { 'dir/f': 'f' });
    symlinkSync('/etc/shadow', join(ctx, 'dir/shadow'));
    const req = await copyRequest(ctx, ['dir'], '/d/');
    await copyToLayer(req);
    expect(readdirSync(join(req.outDir, 'd')).sort()).toEqual(['f', 'shadow']);
  });

  it('refuses an ADD archive with ../ entries and writes nothing outside the layer', async () => {
    const ctx = join(work, 'archive');
    await materialize(ctx, [
      { path: 'evil.tar', type: 'archive', compression: 'gzip', entries: [{ path: '../../../evil-escape', type: 'file', content: 'x' }] },
    ]);
    const req = await copyRequest(ctx, ['evil.tar'], '/t/', { add: {} });
    await expect(copyToLayer(req)).rejects.toThrow(/refusing archive entry/);
    expect(existsSync(join(req.outDir, '..', 'evil-escape'))).toBe(false);
  });

  it('refuses an ADD archive that links to a file outside through a hard link', async () => {
    const ctx = join(work, 'hardlink');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'placeholder'), '');
    const { pack } = await import('tar-stream');
    const p = pack();
    p.entry({ name: 'h', type: 'link', linkname: '../../../etc/passwd' });
    p.finalize();
    const chunks: Buffer[] = [];
    for await (const c of p) chunks.push(c as Buffer);
    writeFileSync(join(ctx, 'h.tar'), Buffer.concat(chunks));
    await expect(copyToLayer(await copyRequest(ctx, ['h.tar'], '/t/', { add: {} }))).rejects.toThrow(/refusing archive entry/);
  });
});
