import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_TYPES, type ImageManifest } from '../../src/image/oci-types.js';
import { pullImage, pushImage, RegistryClient, type RegistryClientOptions } from '../../src/registry/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { blobDataPath, registryUnavailableReason, startRegistry, type TestRegistry } from '../helpers/registry.js';

const skipReason = registryUnavailableReason();
const amd64 = { os: 'linux', architecture: 'amd64' };

describe.skipIf(skipReason)('pulling and pushing images through a store', () => {
  let registry: TestRegistry;
  let clientOpts: Omit<RegistryClientOptions, 'host'>;
  let client: RegistryClient;
  let tmp: string;
  const stores: Store[] = [];

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
    clientOpts = { credentials: { username: registry.username!, password: registry.password! }, dockerConfig: '/nonexistent' };
    client = new RegistryClient({ host: registry.host, ...clientOpts });
    tmp = await mkdtemp(join(tmpdir(), 'tsbuild-pull-push-'));
  });
  afterAll(async () => {
    for (const store of stores) store.close();
    await registry?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  function newStore(): Store {
    const store = openStore(join(tmp, `store-${stores.length}`));
    stores.push(store);
    return store;
  }

  /** A two-layer image made in `store`, tagged `name`; `marker` makes its content unique. */
  async function makeImage(store: Store, name: string, marker: string, architecture = 'amd64'): Promise<string> {
    const base = store.makeTempDir();
    writeFileSync(join(base, 'hello.txt'), `hello ${marker}\n`);
    const l1 = await store.commitSnapshot({ parent: null, dir: base });
    const top = store.makeTempDir();
    mkdirSync(join(top, 'app'));
    writeFileSync(join(top, 'app', 'run.sh'), '#!/bin/sh\necho hi\n'.repeat(2000), { mode: 0o755 });
    const l2 = await store.commitSnapshot({ parent: l1.chainId, dir: top });
    const { id } = await store.putImage({
      config: { architecture, os: 'linux', config: { Cmd: ['/app/run.sh'] }, rootfs: { type: 'layers', diff_ids: [] } },
      layers: [l1.chainId, l2.chainId],
    });
    store.tag(name, id);
    return id;
  }

  let pushed: { id: string; digest: string; chainIds: string[] };

  it('pushes a stored image and pulls it into another store under the same image ID', async () => {
    const source = newStore();
    const id = await makeImage(source, 'local/app:1', 'one');
    const first = await pushImage(source, 'local/app:1', `${registry.host}/team/app:v1`, { client: clientOpts });
    expect(first.blobs.map((b) => b.result)).toEqual(['uploaded', 'uploaded', 'uploaded']);
    expect(first.name).toBe(`${registry.host}/team/app:v1`);
    const again = await pushImage(source, id, `${registry.host}/team/app:v1`, { client: clientOpts });
    expect(again.blobs.map((b) => b.result)).toEqual(['exists', 'exists', 'exists']);
    expect(again.digest).toBe(first.digest);

    const remote = JSON.parse((await client.getManifest('team/app', 'v1')).bytes.toString()) as ImageManifest;
    expect(remote.config.digest).toBe(id);
    expect(remote.layers.map((l) => l.mediaType)).toEqual([MEDIA_TYPES.ociLayerGzip, MEDIA_TYPES.ociLayerGzip]);

    const target = newStore();
    expect(await pullImage(target, `${registry.host}/team/app:v1`, { platform: amd64, client: clientOpts })).toBe(id);
    const image = (await target.resolveImage(`${registry.host}/team/app:v1`))!;
    expect(image.chainIds).toEqual((await source.resolveImage(id))!.chainIds);
    expect(await readFile(join(target.snapshotDir(image.chainIds[0]!), 'hello.txt'), 'utf8')).toBe('hello one\n');
    pushed = { id, digest: first.digest, chainIds: image.chainIds };
  });

  it('answers a digest-pinned pull it has seen from the store, without the network', async () => {
    const store = stores[1]!;
    // Nothing listens on port 1: any request would fail.
    expect(await pullImage(store, `127.0.0.1:1/team/app@${pushed.digest}`, { platform: amd64 })).toBe(pushed.id);
  });

  it('pushes pulled layers back as the registry blobs they came from', async () => {
    const copy = await pushImage(stores[1]!, pushed.id, `${registry.host}/team/copy:v1`, { client: clientOpts });
    expect(copy.digest).toBe(pushed.digest); // identical manifest bytes: the same gzip blobs
  });

  it('mounts the layers a derived image shares with its base from the base repository', async () => {
    const store = stores[1]!;
    const base = (await store.resolveImage(pushed.id))!;
    const extra = store.makeTempDir();
    writeFileSync(join(extra, 'more.txt'), 'derived\n');
    const top = await store.commitSnapshot({ parent: base.chainIds.at(-1)!, dir: extra });
    const { id } = await store.putImage({ config: { ...base.config, rootfs: { type: 'layers', diff_ids: [] } }, layers: [...base.chainIds, top.chainId] });
    const derived = await pushImage(store, id, `${registry.host}/team/derived:v1`, { client: clientOpts, mountFrom: 'team/app' });
    expect(derived.blobs.map((b) => b.result)).toEqual(['uploaded', 'mounted', 'mounted', 'uploaded']);
  });

  it('pulls the image for the asked platform from an index', async () => {
    const source = newStore();
    const armId = await makeImage(source, 'local/arm:1', 'arm', 'arm64');
    const arm = await pushImage(source, armId, `${registry.host}/team/multi:arm64`, { client: clientOpts });
    const amd = await pushImage(stores[0]!, pushed.id, `${registry.host}/team/multi:amd64`, { client: clientOpts });
    const entry = async (digest: string, architecture: string) => ({
      mediaType: MEDIA_TYPES.ociManifest,
      digest,
      size: (await client.getManifest('team/multi', digest)).bytes.length,
      platform: { os: 'linux', architecture },
    });
    const index = { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [await entry(amd.digest, 'amd64'), await entry(arm.digest, 'arm64')] };
    await client.putManifest('team/multi', 'latest', Buffer.from(JSON.stringify(index)), MEDIA_TYPES.ociIndex);

    const target = newStore();
    expect(await pullImage(target, `${registry.host}/team/multi`, { platform: { os: 'linux', architecture: 'arm64' }, client: clientOpts })).toBe(armId);
    expect((await target.resolveImage(`${registry.host}/team/multi:latest`))?.id).toBe(armId);
  });

  it('refuses a layer whose bytes in the registry were corrupted, and tags nothing', async () => {
    const source = newStore();
    const id = await makeImage(source, 'local/bad:1', 'bad');
    const { digest } = await pushImage(source, id, `${registry.host}/team/bad:v1`, { client: clientOpts });
    const manifest = JSON.parse((await client.getManifest('team/bad', digest)).bytes.toString()) as ImageManifest;
    const file = blobDataPath(registry.storageDir, manifest.layers[1]!.digest);
    const bytes = await readFile(file);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    await writeFile(file, bytes);

    const target = newStore();
    await expect(pullImage(target, `${registry.host}/team/bad:v1`, { platform: amd64, client: clientOpts })).rejects.toMatchObject({
      reason: 'digest-mismatch',
    });
    expect(await target.resolveImage(`${registry.host}/team/bad:v1`)).toBeNull();
  });
});
