import { readFile, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_TYPES } from '../../src/image/oci-types.js';
import { RegistryClient, RegistryError, type UploadSession } from '../../src/registry/index.js';
import { blobDataPath, registryUnavailableReason, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { blobOf, randomBlob, readAll } from './support/blobs.js';

const skipReason = registryUnavailableReason();
if (skipReason) console.warn(`skipping registry client tests: ${skipReason}`);

const CHUNK = 64 * 1024;

function manifestFor(config: { digest: string; size: number }, layers: { digest: string; size: number }[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, ...config },
      layers: layers.map((l) => ({ mediaType: MEDIA_TYPES.ociLayerGzip, digest: l.digest, size: l.size })),
    }),
  );
}

describe.skipIf(skipReason).each([{ auth: undefined }, { auth: 'htpasswd' as const }])('registry client (auth: $auth)', ({ auth }) => {
  let registry: TestRegistry;
  let client: RegistryClient;

  beforeAll(async () => {
    registry = await startRegistry({ auth });
    const credentials = registry.username ? { username: registry.username, password: registry.password! } : undefined;
    client = new RegistryClient({ host: registry.host, credentials, chunkSize: CHUNK, dockerConfig: '/nonexistent', retry: { baseDelayMs: 10 } });
  });
  afterAll(async () => registry?.stop());

  it('answers the /v2/ ping', async () => {
    await expect(client.ping()).resolves.toBeUndefined();
  });

  it('pushes small blobs whole and large ones in chunks, then pulls the image back by tag and by digest', async () => {
    const config = blobOf(Buffer.from('{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[]}}'));
    const small = randomBlob(1000);
    const large = randomBlob(CHUNK * 3 + 123);
    expect(await client.pushBlob('app/one', config)).toBe('uploaded');
    expect(await client.pushBlob('app/one', small)).toBe('uploaded');
    expect(await client.pushBlob('app/one', large)).toBe('uploaded');
    const manifest = manifestFor(config, [small, large]);
    const digest = await client.putManifest('app/one', 'v1', manifest, MEDIA_TYPES.ociManifest);

    const byTag = await client.getManifest('app/one', 'v1');
    expect(byTag).toEqual({ bytes: manifest, digest, mediaType: MEDIA_TYPES.ociManifest });
    const byDigest = await client.resolveManifest('app/one', digest);
    expect(byDigest.bytes.equals(manifest)).toBe(true);
    expect(byDigest.index).toBeUndefined();
    expect((await readAll(await client.getBlob('app/one', large.digest, { size: large.size }))).equals(large.bytes)).toBe(true);
    expect((await readAll(await client.getBlob('app/one', small.digest))).equals(small.bytes)).toBe(true);
  });

  it('skips a blob the repository already has, without opening it', async () => {
    const blob = randomBlob(500);
    await client.pushBlob('app/skip', blob);
    const never = {
      ...blob,
      open: (): Readable => {
        throw new Error('opened a blob that exists');
      },
    };
    expect(await client.pushBlob('app/skip', never)).toBe('exists');
    expect(await client.hasBlob('app/skip', blob.digest)).toBe(true);
    expect(await client.hasBlob('app/other', blob.digest)).toBe(false);
  });

  it('mounts a blob from another repository instead of uploading it', async () => {
    const blob = randomBlob(2000);
    await client.pushBlob('app/source', blob);
    const never = {
      ...blob,
      open: (): Readable => {
        throw new Error('uploaded a blob that could be mounted');
      },
    };
    expect(await client.pushBlob('app/target', never, { mountFrom: 'app/source' })).toBe('mounted');
    expect(await client.hasBlob('app/target', blob.digest)).toBe(true);
  });

  it('falls back to uploading when the mount source does not have the blob', async () => {
    const blob = randomBlob(300);
    expect(await client.pushBlob('app/target2', blob, { mountFrom: 'app/empty' })).toBe('uploaded');
  });

  it('resumes an interrupted chunked upload from what the registry holds', async () => {
    const blob = randomBlob(CHUNK * 4 + 7);
    // The source dies after two and a half chunks: two reach the registry, the half is lost with the process.
    const failing = {
      ...blob,
      open: () =>
        Readable.from(
          (async function* () {
            for (let at = 0; at < CHUNK * 2.5; at += 8192) yield blob.bytes.subarray(at, at + 8192);
            throw new Error('disk went away');
          })(),
        ),
    };
    const err = await client.pushBlob('app/resume', failing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect((err as RegistryError).reason).toBe('upload-interrupted');
    const session = (err as RegistryError).upload as UploadSession;
    expect(session.offset).toBe(CHUNK * 2);

    let opened = 0;
    const counting = {
      ...blob,
      open: () => {
        opened++;
        return blob.open();
      },
    };
    expect(await client.pushBlob('app/resume', counting, { resume: session })).toBe('uploaded');
    expect(opened).toBe(1);
    expect((await readAll(await client.getBlob('app/resume', blob.digest))).equals(blob.bytes)).toBe(true);
  });

  it('refuses to upload a source whose bytes do not match the digest or size it claims', async () => {
    const claimed = randomBlob(CHUNK * 2);
    const other = randomBlob(CHUNK * 2);
    await expect(client.pushBlob('app/liar', { ...claimed, open: other.open })).rejects.toMatchObject({ reason: 'digest-mismatch' });
    const small = randomBlob(100);
    await expect(client.pushBlob('app/liar', { ...small, open: randomBlob(50).open })).rejects.toMatchObject({ reason: 'size-mismatch' });
    const broken = {
      ...small,
      open: () =>
        Readable.from(
          (async function* () {
            yield small.bytes.subarray(0, 10);
            throw new Error('read error');
          })(),
        ),
    };
    await expect(client.pushBlob('app/liar', broken)).rejects.toMatchObject({ reason: 'upload-interrupted', upload: undefined });
    expect(await client.hasBlob('app/liar', claimed.digest)).toBe(false);
  });

  it('rejects a blob whose stored bytes no longer match its digest', async () => {
    const blob = randomBlob(4096);
    await client.pushBlob('app/corrupt', blob);
    const file = blobDataPath(registry.storageDir, blob.digest);
    const bad = Buffer.from(await readFile(file));
    bad[100] = bad[100]! ^ 0xff;
    await writeFile(file, bad);
    const stream = await client.getBlob('app/corrupt', blob.digest);
    await expect(readAll(stream)).rejects.toMatchObject({ reason: 'digest-mismatch' });
  });

  it('picks the manifest for the wanted platform from an index', async () => {
    const images: Record<string, string> = {};
    for (const arch of ['amd64', 'arm64']) {
      const config = blobOf(Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] } })));
      await client.pushBlob('app/multi', config);
      const manifest = manifestFor(config, []);
      images[arch] = await client.putManifest('app/multi', `only-${arch}`, manifest, MEDIA_TYPES.ociManifest);
    }
    const entries = await Promise.all(
      ['amd64', 'arm64'].map(async (arch) => {
        const m = await client.getManifest('app/multi', images[arch]!);
        return { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length, platform: { os: 'linux', architecture: arch } };
      }),
    );
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: entries }));
    await client.putManifest('app/multi', 'latest', index, MEDIA_TYPES.ociIndex);

    const arm = await client.resolveManifest('app/multi', 'latest', { platform: { os: 'linux', architecture: 'arm64' } });
    expect(arm.digest).toBe(images.arm64);
    expect(arm.index?.mediaType).toBe(MEDIA_TYPES.ociIndex);
    const amd = await client.resolveManifest('app/multi', 'latest', { platform: { os: 'linux', architecture: 'amd64' } });
    expect(amd.digest).toBe(images.amd64);
    await expect(client.resolveManifest('app/multi', 'latest', { platform: { os: 'linux', architecture: 's390x' } })).rejects.toMatchObject({
      reason: 'no-matching-platform',
    });
  });

  it('authenticates requests that meet the first challenge at the same time', async () => {
    const credentials = registry.username ? { username: registry.username, password: registry.password! } : undefined;
    const fresh = new RegistryClient({ host: registry.host, credentials, dockerConfig: '/nonexistent' });
    const blobs = [randomBlob(10), randomBlob(20), randomBlob(30)];
    await Promise.all(blobs.map((b) => client.pushBlob('app/parallel', b)));
    expect(await Promise.all(blobs.map((b) => fresh.hasBlob('app/parallel', b.digest)))).toEqual([true, true, true]);
  });

  // Only a registry that demands a login can refuse one: this case exists in the htpasswd variant alone.
  if (auth === 'htpasswd')
    it('refuses anonymous and wrong credentials with a login hint', async () => {
      const anonymous = new RegistryClient({ host: registry.host, dockerConfig: '/nonexistent' });
      await expect(anonymous.ping()).rejects.toMatchObject({ reason: 'unauthorized', message: expect.stringContaining(`tsbuild login ${registry.host}`) });
      const wrong = new RegistryClient({ host: registry.host, credentials: { username: registry.username!, password: 'wrong' } });
      await expect(wrong.getManifest('app/one', 'v1')).rejects.toMatchObject({ reason: 'unauthorized', status: 401 });
    });

  it('reports a missing manifest as not-found', async () => {
    await expect(client.getManifest('app/one', 'nope')).rejects.toMatchObject({ reason: 'not-found', status: 404 });
  });
});
