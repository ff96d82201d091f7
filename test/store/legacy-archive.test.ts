import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadImages } from '../../src/transfer/load-images.js';
import { saveImages } from '../../src/transfer/save-images.js';
import { sha256Digest } from '../../src/fs/index.js';
import { makeTempStore, type TempStore } from '../helpers/temp-store.js';
import { handTar } from './tar-builder.js';

describe('archives written by other tools', () => {
  let t: TempStore;
  beforeEach(() => {
    t = makeTempStore();
    mkdirSync(t.work, { recursive: true });
  });
  afterEach(() => t.dispose());

  it('loads the legacy docker save layout with a gzipped layer and a symlinked duplicate, and exports the original bytes', async () => {
    // A layer tar written by "another tool": no directory entries, so our own tar of the
    // unpacked files would differ and the original must be kept for exports.
    const base = handTar([{ name: 'etc/os-release', body: 'ID=hand\n' }]);
    const top = handTar([{ name: 'app/run.sh', body: '#!/bin/sh\necho hi\n' }]);
    const diffIds = [sha256Digest(base), sha256Digest(top), sha256Digest(base)];
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/app/run.sh'] }, rootfs: { type: 'layers', diff_ids: diffIds } }),
    );
    const configName = `${sha256Digest(config).slice(7)}.json`;
    const manifest = [{ Config: configName, RepoTags: ['legacy:1'], Layers: ['aaa/layer.tar', 'bbb/layer.tar', 'ccc/layer.tar'] }];
    const archive = handTar([
      { name: 'aaa/', type: 'dir' },
      { name: 'aaa/layer.tar', body: gzipSync(base) },
      { name: 'bbb/layer.tar', body: top },
      { name: 'ccc/layer.tar', type: 'symlink', linkname: '../aaa/layer.tar' },
      { name: configName, body: config },
      { name: 'manifest.json', body: JSON.stringify(manifest) },
      { name: 'repositories', body: '{"legacy":{"1":"x"}}' },
    ]);
    const file = join(t.work, 'legacy.tar.gz');
    writeFileSync(file, gzipSync(archive));

    const [loaded] = await loadImages(t.store, file);
    expect(loaded).toEqual({ id: sha256Digest(config), tags: ['docker.io/library/legacy:1'] });
    const image = await t.store.resolveImage('legacy:1');
    expect(image!.config.rootfs.diff_ids).toEqual(diffIds);

    const out = join(t.work, 'out/');
    await saveImages(t.store, { refs: ['legacy:1'], output: out, format: 'docker' });
    const saved = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { Layers: string[]; RepoTags: string[] }[];
    expect(saved[0]!.RepoTags).toEqual(['legacy:1']);
    for (const [i, path] of saved[0]!.Layers.entries()) {
      const bytes = readFileSync(join(out, path));
      expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(diffIds[i]);
    }
    expect((await t.store.fsck()).problems).toEqual([]);
  });
});
