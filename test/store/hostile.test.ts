import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadImages } from '../../src/transfer/load-images.js';
import { sha256Digest } from '../../src/fs/index.js';
import { makeTempStore, type TempStore } from '../helpers/temp-store.js';
import { handTar, type HandEntry } from './tar-builder.js';

/** A docker-archive holding one image whose single layer is `layer`. */
function dockerArchive(layer: Buffer, opts: { layerPath?: string; extra?: HandEntry[] } = {}): Buffer {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256Digest(layer)] } }),
  );
  const configName = `${sha256Digest(config).slice(7)}.json`;
  const manifest = [{ Config: configName, RepoTags: ['evil:latest'], Layers: [opts.layerPath ?? 'l1/layer.tar'] }];
  return handTar([
    ...(opts.extra ?? []),
    { name: configName, body: config },
    { name: 'l1/layer.tar', body: layer },
    { name: 'manifest.json', body: JSON.stringify(manifest) },
  ]);
}

describe('hostile archives', () => {
  let t: TempStore;
  let n = 0;
  const load = (archive: Buffer): Promise<unknown> => {
    mkdirSync(t.work, { recursive: true });
    const file = join(t.work, `archive-${n++}.tar`);
    writeFileSync(file, archive);
    return loadImages(t.store, file);
  };

  beforeEach(() => {
    t = makeTempStore();
  });
  afterEach(async () => {
    // Whatever was refused left nothing behind: no image, no layer, no damage, no temp files.
    expect(t.store.listImages()).toEqual([]);
    expect(t.store.diskUsage().layers.count).toBe(0);
    expect((await t.store.fsck()).problems).toEqual([]);
    for (const dir of ['tmp', 'ingest']) expect(existsSync(join(t.root, dir)) ? readdirSync(join(t.root, dir)) : []).toEqual([]);
    t.dispose();
  });

  it('refuses a layer entry that climbs out with ..', async () => {
    const layer = handTar([{ name: '../../escaped', body: 'x' }]);
    await expect(load(dockerArchive(layer))).rejects.toThrow('"../../escaped"');
    expect(existsSync(join(t.root, '..', 'escaped'))).toBe(false);
  });

  it('refuses a layer that writes through a symlink it planted', async () => {
    const layer = handTar([
      { name: 'etc', type: 'symlink', linkname: '/etc' },
      { name: 'etc/evil', body: 'x' },
    ]);
    await expect(load(dockerArchive(layer))).rejects.toThrow('"etc/evil"');
  });

  it('refuses a layer with an absolute path', async () => {
    const layer = handTar([{ name: '/abs', body: 'x' }]);
    await expect(load(dockerArchive(layer))).rejects.toThrow('"/abs"');
  });

  it('refuses an archive entry outside the archive, naming it', async () => {
    const layer = handTar([{ name: 'ok', body: 'x' }]);
    await expect(load(dockerArchive(layer, { extra: [{ name: '../outside', body: 'x' }] }))).rejects.toThrow('"../outside"');
  });

  it('refuses a device node in the archive itself', async () => {
    const layer = handTar([{ name: 'ok', body: 'x' }]);
    await expect(load(dockerArchive(layer, { extra: [{ name: 'dev', type: 'char' }] }))).rejects.toThrow('"dev" is a char');
  });

  it('refuses a manifest that points a layer outside the archive', async () => {
    const layer = handTar([{ name: 'ok', body: 'x' }]);
    await expect(load(dockerArchive(layer, { layerPath: '../../etc/passwd' }))).rejects.toThrow('"../../etc/passwd"');
  });

  it('refuses a layer whose content does not match the config diff ID', async () => {
    const layer = handTar([{ name: 'ok', body: 'x' }]);
    const archive = dockerArchive(layer);
    // Same length, different bytes: the body of "ok" becomes "y".
    const tampered = Buffer.from(
      archive.toString('latin1').replace(/ok\0[\s\S]*?x\0/, (m) => m.replace(/x\0$/, 'y\0')),
      'latin1',
    );
    await expect(load(tampered)).rejects.toThrow(/digest mismatch|does not match/);
  });

  it('refuses an OCI blob whose bytes differ from its digest', async () => {
    const fake = `sha256:${'1'.repeat(64)}`;
    const index = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: fake, size: 2 }] };
    const archive = handTar([
      { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
      { name: 'index.json', body: JSON.stringify(index) },
      { name: `blobs/sha256/${'1'.repeat(64)}`, body: '{}' },
    ]);
    await expect(load(archive)).rejects.toThrow(`archive blob ${fake} does not match its digest`);
  });
});
