// The path checks both extractors share: how entry names are read under each policy, and
// how the directory receiving an entry (or a hardlink's source) is resolved.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfinedRoot, type NamePolicy } from '../../src/image/safe-path.js';
import { tempDir } from './helpers.js';

class Refused extends Error {
  constructor(
    readonly entry: string,
    reason: string,
  ) {
    super(`${entry}: ${reason}`);
  }
}

const confined = (root: string, names: NamePolicy = 'strict', linkTargets: 'file' | 'non-directory' = 'non-directory') =>
  new ConfinedRoot({ root, names, linkTargets, refuse: (entry, reason) => new Refused(entry, reason) });

const NAMES: Array<[string, string[] | RegExp, string[] | RegExp]> = [
  // name, strict (layers), lexical (ADD)
  ['a/./b/', ['a', 'b'], ['a', 'b']],
  ['./', [], []],
  ['//a//', /is absolute/, ['a']],
  ['/etc/x', /is absolute/, ['etc', 'x']],
  ['a/../b', /'\.\.' component/, ['b']],
  ['a/../../b', /'\.\.' component/, /leads outside/],
  ['/../x', /is absolute/, /leads outside/],
  ['..', /'\.\.' component/, /leads outside/],
];

describe('entry names', () => {
  for (const [name, strict, lexical] of NAMES) {
    for (const [policy, want] of [
      ['strict', strict],
      ['lexical', lexical],
    ] as const) {
      it(`read ${JSON.stringify(name)} under the ${policy} policy as ${want instanceof RegExp ? `a refusal (${want.source})` : JSON.stringify(want)}`, () => {
        const root = confined('/nonexistent', policy);
        if (want instanceof RegExp) expect(() => root.parts(name)).toThrow(want);
        else expect(root.parts(name)).toEqual(want);
      });
    }
  }
});

describe('placing entries', () => {
  it('returns null for the root itself', async () => {
    expect(await confined(tempDir()).place('./', true)).toBeNull();
  });

  it('makes missing parents only when asked, and refuses them otherwise', async () => {
    const dir = tempDir();
    await expect(confined(dir).place('a/b/c', false)).rejects.toThrow(/parent a does not exist/);
    expect(await confined(dir).place('a/b/c', true)).toEqual({
      parts: ['a', 'b', 'c'],
      rel: 'a/b/c',
      parent: path.join(dir, 'a/b'),
      target: path.join(dir, 'a/b/c'),
    });
  });

  it('refuses a parent that is a symlink, even one pointing back inside', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'real'));
    symlinkSync('real', path.join(dir, 'alias'));
    await expect(confined(dir).place('alias/x', true)).rejects.toMatchObject({
      entry: 'alias/x',
      message: expect.stringMatching(/parent alias is a symlink/),
    });
  });

  it('resolves a hardlink source from the same root as its check (node-tar hardlink advisories)', async () => {
    const dir = tempDir();
    const root = confined(dir, 'lexical', 'file');
    const f = (await root.place('d/f', true))!;
    writeFileSync(f.target, 'x');
    root.extractedAt(f.rel);
    const at = (await root.place('h', true))!;
    expect(await root.hardlinkSource('h', '/d/./f', at)).toBe(path.join(dir, 'd/f'));
    await expect(root.hardlinkSource('h', 'd/g', at)).rejects.toThrow(/not an earlier entry/);
  });
});
