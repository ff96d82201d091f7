import { describe, expect, it } from 'vitest';
import { MEDIA_TYPES, type ImageManifest } from '../../src/image/oci-types.js';
import { decodeCacheConfig, decodeCacheManifest, encodeCache, type CacheLayer } from '../../src/remote-cache/format.js';
import { RemoteCacheError } from '../../src/remote-cache/index.js';

const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const layers: CacheLayer[] = [
  { descriptor: { mediaType: MEDIA_TYPES.ociLayerGzip, digest: digest('a'), size: 10 }, diffId: digest('1') },
  { descriptor: { mediaType: MEDIA_TYPES.ociLayerGzip, digest: digest('b'), size: 20 }, diffId: digest('2') },
];
const records = [
  { key: digest('f'), layers: [0, 1], created: 2000 },
  { key: digest('e'), layers: [0], created: 1000 },
];

function decode(manifest: Buffer, config: Buffer): ReturnType<typeof decodeCacheConfig> {
  return decodeCacheConfig(config, decodeCacheManifest(manifest, 'test cache'), 'test cache');
}

describe('the cache format', () => {
  it('round-trips records with their layer chains resolved', () => {
    const { manifest, config } = encodeCache(layers, records);
    const entries = decode(manifest, config);
    expect(entries.map((e) => e.key)).toEqual([digest('e'), digest('f')]);
    expect(entries[1]!.layers.map((l) => l.diffId)).toEqual([digest('1'), digest('2')]);
    expect(entries[1]!.layers[1]!.descriptor.digest).toBe(digest('b'));
    expect(entries[1]!.created).toBe(2000);
  });

  it('encodes the same records to the same bytes whatever their order', () => {
    expect(encodeCache(layers, records).manifest).toEqual(encodeCache(layers, [...records].reverse()).manifest);
  });

  it('refuses an ordinary image manifest, saying it is not a tsbuild cache', () => {
    const image: ImageManifest = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, digest: digest('c'), size: 2 },
      layers: [],
    };
    expect(() => decodeCacheManifest(Buffer.from(JSON.stringify(image)), 'reg/app:latest')).toThrow(
      'reg/app:latest is not a tsbuild cache: its config type is application/vnd.oci.image.config.v1+json',
    );
  });

  it('refuses a config whose records point past the manifest layers or whose diff IDs do not match them', () => {
    const { manifest } = encodeCache(layers, records);
    const config = (doc: unknown): Buffer => Buffer.from(JSON.stringify(doc));
    expect(() => decode(manifest, config({ version: 1, diffIds: [digest('1'), digest('2')], records: [{ key: 'k', layers: [2], created: 0 }] }))).toThrow(
      /malformed record/,
    );
    expect(() => decode(manifest, config({ version: 1, diffIds: [digest('1')], records: [] }))).toThrow(/one diff ID per manifest layer \(2\)/);
    expect(() => decode(manifest, config({ version: 2, diffIds: [], records: [] }))).toThrow(/has version 2; this tsbuild reads version 1/);
    expect(() => decode(manifest, Buffer.from('{'))).toThrow(RemoteCacheError);
  });
});
