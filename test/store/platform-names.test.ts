// Names holding one image per platform: import next to another platform, lookups by platform,
// retagging, rmi of the whole name or one platform, prune keeping every member, and a store
// made before the name_platforms table (schema step 1) upgraded in place.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importRootfs } from '../../src/transfer/import-rootfs.js';
import { openStore } from '../../src/store/index.js';
import { MIGRATIONS } from '../../src/store/schema.js';
import { repo } from '../e2e/helpers.js';
import { makeTempStore, type TempStore } from '../helpers/temp-store.js';

const AMD64 = { os: 'linux', architecture: 'amd64' };
const ARM64 = { os: 'linux', architecture: 'arm64' };

describe('names holding several platforms', () => {
  let t: TempStore;
  let amd: string;
  let arm: string;

  beforeEach(async () => {
    t = makeTempStore();
    const rootfs = join(t.work, 'rootfs');
    mkdirSync(rootfs, { recursive: true });
    writeFileSync(join(rootfs, 'hello'), 'hi\n');
    amd = (await importRootfs(t.store, { source: rootfs, tags: ['base'], created: new Date(0), platform: AMD64 })).id;
    arm = (await importRootfs(t.store, { source: rootfs, tags: ['base'], created: new Date(0), platform: ARM64 })).id;
  });
  afterEach(() => t.dispose());

  it('keeps both platforms under the name and finds each by platform', () => {
    expect(amd).not.toBe(arm);
    expect(t.store.imagesOfName('base').map((m) => [m.platform, m.image.id])).toEqual([
      ['linux/amd64', amd],
      ['linux/arm64', arm],
    ]);
    expect(t.store.resolveImageFor('base', ARM64).image?.id).toBe(arm);
    expect(t.store.resolveImageFor('base', { ...ARM64, variant: 'v8' }).image?.id).toBe(arm);
    expect(t.store.resolveImageFor('base', { os: 'linux', architecture: 's390x' })).toEqual({ image: null, held: ['linux/amd64', 'linux/arm64'] });
    // Without a platform the name gives this machine's image.
    expect(t.store.resolveImage('base')?.config.architecture).toBe(process.arch === 'arm64' ? 'arm64' : 'amd64');
    // `tsbuild tag` of the name copies every platform.
    const tagged = spawnSync(process.execPath, [join(repo, 'bin/tsbuild'), 'tag', '--root', t.root, 'base', 'copy:1'], { encoding: 'utf8' });
    expect(tagged.status).toBe(0);
    expect(t.store.imagesOfName('copy:1').map((m) => m.image.id)).toEqual([amd, arm]);
    // Members keep the order they are given in (the index order).
    t.store.tagPlatforms('swapped', [arm, amd]);
    expect(t.store.imagesOfName('swapped').map((m) => m.platform)).toEqual(['linux/arm64', 'linux/amd64']);
  });

  it('replaces only the platform imported again, and a plain tag replaces the whole name', async () => {
    const rootfs = join(t.work, 'rootfs2');
    mkdirSync(rootfs);
    writeFileSync(join(rootfs, 'other'), 'x\n');
    const arm2 = (await importRootfs(t.store, { source: rootfs, tags: ['base'], created: new Date(0), platform: ARM64 })).id;
    expect(t.store.imagesOfName('base').map((m) => m.image.id)).toEqual([amd, arm2]);
    t.store.tag('base', amd);
    expect(t.store.imagesOfName('base').map((m) => m.image.id)).toEqual([amd]);
  });

  it('rmi removes the whole name and its images, or with a platform only that one', () => {
    const one = t.store.removeImage('base', { platform: ARM64 });
    expect(one).toEqual({ untagged: ['docker.io/library/base:latest'], deleted: [arm] });
    expect(t.store.imagesOfName('base').map((m) => m.image.id)).toEqual([amd]);
    expect(() => t.store.removeImage('base', { platform: ARM64 })).toThrow('holds no linux/arm64 image (it holds linux/amd64)');
  });

  it('rmi of the name deletes every platform image no other name holds', () => {
    t.store.tag('keep', arm);
    const all = t.store.removeImage('base');
    expect(all).toEqual({ untagged: ['docker.io/library/base:latest'], deleted: [amd] });
    expect(t.store.resolveImage('keep')?.id).toBe(arm);
    expect(t.store.resolveImage('base')).toBeNull();
  });

  it('prune keeps the images of every platform of a name', async () => {
    await t.store.prune({ all: true });
    expect(t.store.resolveImageFor('base', ARM64).image?.id).toBe(arm);
    expect(t.store.resolveImageFor('base', AMD64).image?.id).toBe(amd);
    const fsck = await t.store.fsck();
    expect(fsck.problems).toEqual([]);
  });
});

describe('schema step 2 on an older store', () => {
  it('adds name_platforms and keeps the names and images the store had', async () => {
    const base = mkdtempSync(join(tmpdir(), 'tsbuild-migrate-'));
    try {
      const root = join(base, 'root');
      const old = openStore(root);
      const rootfs = join(base, 'rootfs');
      mkdirSync(rootfs);
      writeFileSync(join(rootfs, 'f'), 'f\n');
      const id = (await importRootfs(old, { source: rootfs, tags: ['old'], created: new Date(0) })).id;
      old.close();
      // Back to schema step 1, as a store written before this step was.
      const db = new Database(join(root, 'meta.db'));
      db.exec('DROP TABLE name_platforms');
      db.exec('ALTER TABLE layers DROP COLUMN whiteouts_first');
      db.exec('DROP TABLE dir_cache');
      db.pragma('user_version = 1');
      db.close();
      const store = openStore(root);
      try {
        const check = new Database(join(root, 'meta.db'), { readonly: true });
        expect(check.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
        check.close();
        expect(store.resolveImage('old')?.id).toBe(id);
        expect(store.imagesOfName('old').map((m) => m.platform)).toEqual([`linux/${process.arch === 'arm64' ? 'arm64' : 'amd64'}`]);
      } finally {
        store.close();
      }
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
