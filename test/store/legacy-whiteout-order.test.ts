// Layers recorded before whiteouts went first in layer tars keep the bytes their diff IDs
// name: a store from then still saves and pushes its images unchanged.
import { createHash } from 'node:crypto';
import { constants, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestLayerDir } from '../../src/image/layer-digest.js';
import { native } from '../../src/native.js';
import { openStore } from '../../src/store/index.js';
import { makeTempStore, type TempStore } from '../helpers/temp-store.js';

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('a layer recorded before whiteouts went first', () => {
  let t: TempStore;
  beforeEach(() => {
    t = makeTempStore();
  });
  afterEach(() => t.dispose());

  it('is exported in the byte order of names its diff ID was taken over', async () => {
    const dir = t.store.makeTempDir();
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd/.h'), 'x');
    native.mknod(join(dir, 'd/gone'), constants.S_IFCHR, 0, 0);
    const legacy = (await digestLayerDir(dir, { whiteoutsInNameOrder: true })).diffId;
    const layer = await t.store.commitSnapshot({ parent: null, dir });
    expect(layer.diffId).not.toBe(legacy);
    // What an older tsbuild left: the same snapshot under the digest of its name-ordered tar.
    t.store.close();
    const db = new Database(join(t.root, 'meta.db'));
    db.pragma('foreign_keys = OFF');
    db.prepare('UPDATE layers SET chain_id = ?, diff_id = ?, whiteouts_first = 0').run(legacy, legacy);
    db.prepare('UPDATE snapshots SET chain_id = ?, dir = ?').run(legacy, legacy.slice('sha256:'.length));
    db.close();
    renameSync(join(t.root, 'snapshots', layer.chainId.slice('sha256:'.length)), join(t.root, 'snapshots', legacy.slice('sha256:'.length)));
    t.store = openStore(t.root);

    const hash = createHash('sha256');
    for await (const chunk of t.store.layerTar(legacy).stream()) hash.update(chunk as Buffer);
    expect(`sha256:${hash.digest('hex')}`).toBe(legacy);
  });
});
