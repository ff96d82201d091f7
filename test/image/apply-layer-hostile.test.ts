// Hostile layers: each must be refused with the entry named, and nothing outside the
// snapshot may change (a sentinel directory beside it is checked after every case).
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { applyLayer, LayerApplyError } from '../../src/image/apply-layer.js';
import { archive, header, isRoot, snapshotOf, tempDir, type TestEntry } from './helpers.js';

interface Case {
  title: string;
  refused: string;
  entries: (sentinel: string) => TestEntry[];
}

const file = (name: string, body = 'pwned'): TestEntry => ({ header: header({ name, type: 'file' }), body: Buffer.from(body) });
const symlink = (name: string, linkname: string): TestEntry => ({ header: header({ name, type: 'symlink', linkname }) });
const hardlink = (name: string, linkname: string): TestEntry => ({ header: header({ name, type: 'hardlink', linkname }) });

const CASES: Case[] = [
  { title: 'a name climbing out with ..', refused: '../x', entries: () => [file('../x')] },
  { title: 'a name climbing out after ./ and a directory', refused: './a/../../x', entries: () => [file('./a/../../x')] },
  { title: 'an absolute name', refused: '/etc/x', entries: () => [file('/etc/x')] },
  { title: 'an absolute name pointing at the sentinel', refused: 'SENTINEL/x', entries: (s) => [file(`${s}/x`)] },
  { title: 'a long PAX name climbing out', refused: `${'d'.repeat(120)}/../../x`, entries: () => [file(`${'d'.repeat(120)}/../../x`)] },
  { title: 'a file written through a symlink to /', refused: 'a/SENTINEL_REL/x', entries: (s) => [symlink('a', '/'), file(`a/${s.slice(1)}/x`)] },
  { title: 'a file written through a relative symlink out', refused: 'a/x', entries: () => [symlink('a', '../sentinel'), file('a/x')] },
  {
    title: 'a directory replaced by a symlink, then written into',
    refused: 'd/sub/x',
    entries: (s) => [
      { header: header({ name: 'd/', type: 'dir', mtime: { sec: 1, nsec: 0 } }) },
      { header: header({ name: 'd/sub/', type: 'dir', mtime: { sec: 1, nsec: 0 } }) },
      symlink('d', s),
      file('d/sub/x'),
    ],
  },
  { title: 'a whiteout through a symlink', refused: 'a/.wh.secret', entries: (s) => [symlink('a', s), file('a/.wh.secret', '')] },
  { title: 'an opaque marker through a symlink', refused: 'a/.wh..wh..opq', entries: (s) => [symlink('a', s), file('a/.wh..wh..opq', '')] },
  { title: 'a hardlink through a symlink to a file outside', refused: 'b', entries: (s) => [symlink('a', s), hardlink('b', 'a/secret')] },
  {
    title: 'a hardlink to an extracted file whose directory became a symlink',
    refused: 'b',
    entries: (s) => [{ header: header({ name: 'a/', type: 'dir' }) }, file('a/secret', 'mine'), symlink('a', s), hardlink('b', 'a/secret')],
  },
  {
    title: 'a hardlink whose own name passes through a symlink',
    refused: 'a/link',
    entries: (s) => [file('f', 'ok'), symlink('a', s), hardlink('a/link', 'f')],
  },
  { title: 'a hardlink to ../../etc/shadow', refused: 'shadow', entries: () => [hardlink('shadow', '../../etc/shadow')] },
  { title: 'a hardlink to an absolute path', refused: 'secret', entries: (s) => [hardlink('secret', `${s}/secret`)] },
  { title: 'a hardlink to a file not extracted yet', refused: 'early', entries: () => [hardlink('early', 'late'), file('late', 'x')] },
  {
    title: 'a device node outside the snapshot',
    refused: '../null',
    entries: () => [{ header: header({ name: '../null', type: 'char', devmajor: 1, devminor: 3 }) }],
  },
  { title: 'a whiteout of ..', refused: 'a/.wh...', entries: () => [file('a/.wh...', '')] },
];

function sandbox() {
  const base = tempDir();
  const sentinel = path.join(base, 'sentinel');
  const root = path.join(base, 'root');
  mkdirSync(sentinel);
  mkdirSync(root);
  writeFileSync(path.join(sentinel, 'secret'), 'untouched');
  return { base, sentinel, root };
}

describe.skipIf(!isRoot)('hostile layers', () => {
  for (const c of CASES) {
    it(`refuse ${c.title}, naming the entry and writing nothing outside`, async () => {
      const { base, sentinel, root } = sandbox();
      const before = snapshotOf(sentinel);
      const baseBefore = readdirSync(base).sort();
      const entry = c.refused.replace('SENTINEL_REL', sentinel.slice(1)).replace('SENTINEL', sentinel);
      const error = await applyLayer(Readable.from([archive(c.entries(sentinel))]), root).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LayerApplyError);
      expect(error).toMatchObject({ code: 'unsafe-layer-entry', exitCode: 1, entry });
      expect((error as Error).message).toContain(JSON.stringify(entry));
      expect(snapshotOf(sentinel)).toBe(before);
      expect(readdirSync(base).sort()).toEqual(baseBefore);
    });
  }

  it('leave directories outside untouched when a directory made earlier was replaced by a symlink', async () => {
    const { sentinel, root } = sandbox();
    mkdirSync(path.join(sentinel, 'sub'));
    const before = snapshotOf(sentinel);
    const tar = archive([
      { header: header({ name: 'd/', type: 'dir', mtime: { sec: 1, nsec: 0 } }) },
      { header: header({ name: 'd/sub/', type: 'dir', mode: 0o700, mtime: { sec: 1, nsec: 0 } }) },
      symlink('d', sentinel),
    ]);
    expect(await applyLayer(Readable.from([tar]), root)).toEqual({ entries: 3 });
    expect(snapshotOf(sentinel)).toBe(before);
  });
});

describe.skipIf(!isRoot)('layers the filesystem cannot hold', () => {
  const cases: { title: string; entries: TestEntry[]; entry: string; says: RegExp }[] = [
    { title: 'a name component over 255 bytes', entries: [file('a'.repeat(300))], entry: 'a'.repeat(300), says: /file name too long/ },
    {
      title: 'a path over 4096 bytes',
      entries: [file(`${Array.from({ length: 25 }, () => 'd'.repeat(200)).join('/')}/f`)],
      entry: `${Array.from({ length: 25 }, () => 'd'.repeat(200)).join('/')}/f`,
      says: /file name too long/,
    },
    {
      title: 'an extended attribute of no known namespace',
      entries: [{ header: header({ name: 'f', type: 'file', size: 1, xattrs: { 'bogus.name': Buffer.from('v') } }), body: Buffer.from('x') }],
      entry: 'f',
      says: /does not support this extended attribute: "bogus\.name"/,
    },
    {
      title: 'an extended attribute name over 255 bytes',
      entries: [
        { header: header({ name: 'f', type: 'file', size: 1, xattrs: { [`user.${'n'.repeat(300)}`]: Buffer.from('v') } }), body: Buffer.from('x') },
      ],
      entry: 'f',
      says: /too long.*"user\.n/,
    },
  ];
  for (const c of cases) {
    it(`refuse ${c.title} with a sentence naming the entry`, async () => {
      const { root } = sandbox();
      const error = await applyLayer(Readable.from([archive(c.entries)]), root).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LayerApplyError);
      expect(error).toMatchObject({ entry: c.entry });
      expect((error as Error).message).toMatch(c.says);
    });
  }
});
