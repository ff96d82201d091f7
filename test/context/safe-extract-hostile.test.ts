// Hostile archives for ADD and `docker build -`: each must be refused with the entry
// named, and nothing outside the destination may change (a sentinel directory beside it
// is compared after every case). test/image/apply-layer-hostile.test.ts runs the same
// attacks against layer extraction; both go through src/image/safe-path.ts.
import { chmodSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { extractTarSafely, UnsafeArchiveError } from '../../src/context/safe-extract.js';
import { archive, header, isRoot, snapshotOf, tempDir, type TestEntry } from '../image/helpers.js';

interface Case {
  title: string;
  /** The entry named in the refusal; SENTINEL stands for the sentinel's path. */
  refused: string;
  entries: (sentinel: string) => TestEntry[];
  /** Prepares the destination before extraction (something already on disk). */
  before?: (dest: string, sentinel: string) => void;
}

const file = (name: string, body = 'pwned'): TestEntry => ({ header: header({ name, type: 'file', mode: 0o777 }), body: Buffer.from(body) });
const dir = (name: string): TestEntry => ({ header: header({ name, type: 'dir', mode: 0o777, mtime: { sec: 1, nsec: 0 } }) });
const symlink = (name: string, linkname: string): TestEntry => ({ header: header({ name, type: 'symlink', linkname }) });
const hardlink = (name: string, linkname: string): TestEntry => ({ header: header({ name, type: 'hardlink', linkname, mode: 0o4777, uid: 4242 }) });

const CASES: Case[] = [
  { title: 'a name climbing out with ..', refused: '../x', entries: () => [file('../x')] },
  { title: 'a name climbing out after ./ and a directory', refused: './a/../../x', entries: () => [file('./a/../../x')] },
  { title: 'an absolute name climbing out with ..', refused: '/../x', entries: () => [file('/../x')] },
  { title: 'a long PAX name climbing out', refused: `${'d'.repeat(120)}/../../x`, entries: () => [file(`${'d'.repeat(120)}/../../x`)] },
  { title: 'a file written through a symlink to /', refused: 'a/SENTINEL_REL/x', entries: (s) => [symlink('a', '/'), file(`a/${s.slice(1)}/x`)] },
  { title: 'a file written through a relative symlink out', refused: 'a/x', entries: () => [symlink('a', '../sentinel'), file('a/x')] },
  {
    title: 'a file written through a symlink already in the destination',
    refused: 'a/x',
    entries: () => [file('a/x')],
    before: (d, s) => symlinkSync(s, path.join(d, 'a')),
  },
  {
    title: 'a directory replaced by a symlink, then written into',
    refused: 'd/sub/x',
    entries: (s) => [dir('d/'), dir('d/sub/'), symlink('d', s), file('d/sub/x')],
  },
  { title: 'a hardlink to ../../etc/shadow', refused: 'shadow', entries: () => [hardlink('shadow', '../../etc/shadow')] },
  { title: 'a hardlink to an absolute path outside', refused: 'secret', entries: (s) => [hardlink('secret', `${s}/secret`)] },
  { title: 'a hardlink through a symlink to a file outside', refused: 'b', entries: (s) => [symlink('a', s), hardlink('b', 'a/secret')] },
  {
    title: 'a hardlink to an extracted file whose directory became a symlink',
    refused: 'b',
    entries: (s) => [dir('a/'), file('a/secret', 'mine'), symlink('a', s), hardlink('b', 'a/secret')],
  },
  { title: 'a hardlink to an extracted symlink that points outside', refused: 'b', entries: (s) => [symlink('a', `${s}/secret`), hardlink('b', 'a')] },
  {
    title: 'a hardlink whose own name passes through a symlink',
    refused: 'a/link',
    entries: (s) => [file('f', 'ok'), symlink('a', s), hardlink('a/link', 'f')],
  },
  { title: 'a hardlink to a file not extracted yet', refused: 'early', entries: () => [hardlink('early', 'late'), file('late', 'x')] },
  {
    title: 'a hardlink through a symlink already in the destination',
    refused: 'b',
    entries: () => [hardlink('b', 'a/secret')],
    before: (d, s) => symlinkSync(s, path.join(d, 'a')),
  },
  { title: 'a hardlink to itself', refused: 'f', entries: () => [file('f'), hardlink('f', './f')] },
  { title: 'a hardlink to the destination root', refused: 'r', entries: () => [hardlink('r', './')] },
  {
    title: 'a device node outside the destination',
    refused: '../null',
    entries: () => [{ header: header({ name: '../null', type: 'char', devmajor: 1, devminor: 3 }) }],
  },
];

function sandbox() {
  const base = tempDir();
  const sentinel = path.join(base, 'sentinel');
  const dest = path.join(base, 'dest');
  mkdirSync(sentinel);
  mkdirSync(dest);
  writeFileSync(path.join(sentinel, 'secret'), 'untouched');
  chmodSync(path.join(sentinel, 'secret'), 0o600);
  return { base, sentinel, dest };
}

describe.skipIf(!isRoot)('hostile ADD archives', () => {
  for (const c of CASES) {
    it(`refuse ${c.title}, naming the entry and writing nothing outside`, async () => {
      const { base, sentinel, dest } = sandbox();
      c.before?.(dest, sentinel);
      const before = snapshotOf(sentinel);
      const baseBefore = readdirSync(base).sort();
      const entry = c.refused.replace('SENTINEL_REL', sentinel.slice(1)).replace('SENTINEL', sentinel);
      const error = await extractTarSafely(Readable.from([archive(c.entries(sentinel))]), { dest }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnsafeArchiveError);
      expect(error).toMatchObject({ code: 'unsafe-archive', entry });
      expect((error as Error).message).toContain(`refusing archive entry ${JSON.stringify(entry)}`);
      expect(snapshotOf(sentinel)).toBe(before);
      expect(readdirSync(base).sort()).toEqual(baseBefore);
    });
  }

  it('leave directories outside untouched when a directory made earlier was replaced by a symlink', async () => {
    const { sentinel, dest } = sandbox();
    mkdirSync(path.join(sentinel, 'sub'));
    const before = snapshotOf(sentinel);
    await extractTarSafely(Readable.from([archive([dir('d/'), dir('d/sub/'), symlink('d', sentinel)])]), { dest });
    expect(snapshotOf(sentinel)).toBe(before);
  });
});
