import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Command } from '../../src/cli/command.js';
import { UsageError } from '../../src/errors.js';
import { makeTempStore, type TempStore } from '../helpers/temp-store.js';

async function run(name: string, argv: string[]): Promise<{ code: number; out: string }> {
  const { command } = (await import(`../../src/cli/commands/${name}.ts`)) as { command: Command };
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  try {
    return { code: await command.run(argv), out };
  } finally {
    spy.mockRestore();
  }
}

describe('store commands', () => {
  let t: TempStore;
  let id: string;
  beforeEach(async () => {
    t = makeTempStore();
    const dir = t.store.makeTempDir();
    writeFileSync(join(dir, 'hello'), 'hello');
    const layer = await t.store.commitSnapshot({ parent: null, dir });
    const config = { architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers' as const, diff_ids: [] } };
    id = (await t.store.putImage({ config, layers: [layer.chainId] })).id;
    t.store.tag('app:1', id);
    t.store.tag('app:2', id);
  });
  afterEach(() => t.dispose());

  it('prints the images table with one row per name', async () => {
    const { code, out } = await run('images', ['--root', t.root]);
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+PLATFORM\s+CREATED\s+SIZE$/);
    expect(lines.slice(1).map((l) => l.split(/\s{3,}/).slice(0, 4))).toEqual([
      ['app', '1', id.slice(7, 19), 'linux/amd64'],
      ['app', '2', id.slice(7, 19), 'linux/amd64'],
    ]);
  });

  it('refuses rmi by ID of an image with several names unless forced', async () => {
    await expect(run('rmi', ['--root', t.root, id.slice(7, 19)])).rejects.toThrow(/is tagged app:1, app:2/);
    expect(await run('rmi', ['--root', t.root, 'app:1'])).toEqual({ code: 0, out: 'Untagged: app:1\n' });
    expect(await run('rmi', ['--root', t.root, 'app:2'])).toEqual({ code: 0, out: `Untagged: app:2\nDeleted: ${id}\n` });
  });

  it('frees the space of removed images at prune, as du shows', async () => {
    const before = JSON.parse((await run('du', ['--root', t.root, '--json'])).out) as { layers: { count: number; reclaimable: number } };
    expect(before.layers).toMatchObject({ count: 1, reclaimable: 0 });
    await run('rmi', ['--root', t.root, '-f', id]);
    const after = JSON.parse((await run('du', ['--root', t.root, '--json'])).out) as { layers: { reclaimable: number } };
    expect(after.layers.reclaimable).toBeGreaterThan(0);
    const pruned = JSON.parse((await run('prune', ['--root', t.root, '--json'])).out) as { layers: number; blobs: number };
    expect(pruned).toMatchObject({ layers: 1, blobs: 2 });
    expect((await run('fsck', ['--root', t.root])).out).toBe('checked 0 blob(s): clean\n');
  });

  it('reports bad usage as usage errors', async () => {
    await expect(run('tag', ['--root', t.root, 'app:1'])).rejects.toThrow(UsageError);
    // Without -o, save writes to stdout (tested through the CLI in test/cli/docker-habits.test.ts).
    await expect(run('save', ['--root', t.root, '--format', 'tar', 'app:1'])).rejects.toThrow('--format must be docker or oci');
    await expect(run('prune', ['--root', t.root, '--keep-storage', 'lots'])).rejects.toThrow('invalid size "lots"');
    await expect(run('prune', ['--root', t.root, '--filter', 'label=x'])).rejects.toThrow('unsupported filter');
    await expect(run('images', ['--root', t.root, '--bogus'])).rejects.toThrow(UsageError);
  });
});
