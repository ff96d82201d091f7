// store.view(chainId): the store mounts read-only views of a chain under <root>/views and
// takes them down again, so no caller runs mount itself.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { makeTempStore, type TempStore } from '../helpers/temp-store.js';

const cannot = process.getuid?.() !== 0 ? 'mounting overlayfs needs root' : undefined;
const mounted = (path: string): boolean =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === path);

describe.skipIf(cannot)('store views', () => {
  let t: TempStore;
  beforeEach(() => {
    t = makeTempStore();
  });
  afterEach(() => t.dispose());

  async function chain(): Promise<string> {
    const lower = t.store.makeTempDir();
    writeFileSync(join(lower, 'kept'), 'base');
    writeFileSync(join(lower, 'deleted'), 'gone soon');
    const base = await t.store.commitSnapshot({ parent: null, dir: lower });
    const upper = t.store.makeTempDir();
    execFileSync('mknod', [join(upper, 'deleted'), 'c', '0', '0']);
    writeFileSync(join(upper, 'added'), 'top');
    return (await t.store.commitSnapshot({ parent: base.chainId, dir: upper })).chainId;
  }

  it('shows the merged, read-only filesystem of a chain under <root>/views until released', async () => {
    const view = await t.store.view(await chain());
    expect(view.path.startsWith(join(t.root, 'views') + '/')).toBe(true);
    expect(mounted(view.path)).toBe(true);
    expect(readdirSync(view.path).sort()).toEqual(['added', 'kept']);
    expect(() => writeFileSync(join(view.path, 'new'), 'x')).toThrow(/EROFS/);
    await view.release();
    await view.release();
    expect(mounted(view.path)).toBe(false);
    expect(existsSync(view.path)).toBe(false);
  });

  it('gives an empty root for no chain', async () => {
    const view = await t.store.view(null);
    expect(readdirSync(view.path)).toEqual([]);
    await view.release();
  });

  it('unmounts what is left on releaseViews and on close', async () => {
    const top = await chain();
    const a = await t.store.view(top);
    const b = await t.store.view(top);
    await t.store.releaseViews();
    expect([mounted(a.path), mounted(b.path)]).toEqual([false, false]);

    const other = openStore(t.root);
    const c = await other.view(top);
    other.close();
    expect(mounted(c.path)).toBe(false);
    expect(readdirSync(join(t.root, 'views'))).toEqual([]);
  });
});
