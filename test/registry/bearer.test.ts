import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_TYPES } from '../../src/image/oci-types.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { login, readCredentials, RegistryClient } from '../../src/registry/index.js';
import { registryUnavailableReason, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { randomBlob, readAll } from './support/blobs.js';
import { startBearerRegistry, type BearerRegistry } from './support/token-auth.js';

const skipReason = registryUnavailableReason();

describe.skipIf(skipReason)('Bearer token auth', () => {
  let registry: TestRegistry;
  let bearer: BearerRegistry;

  beforeAll(async () => {
    registry = await startRegistry();
    bearer = await startBearerRegistry(registry.url);
  });
  afterAll(async () => {
    await bearer?.stop();
    await registry?.stop();
  });

  const client = (credentials?: { username: string; password: string }): RegistryClient =>
    new RegistryClient({ host: bearer.host, credentials, dockerConfig: '/nonexistent', retry: { baseDelayMs: 10 } });

  it('fetches a token with credentials for the scope the challenge names, and reuses it', async () => {
    const pusher = client({ username: bearer.username, password: bearer.password });
    const blob = randomBlob(777);
    const before = bearer.tokenRequests.length;
    expect(await pusher.pushBlob('team/app', blob)).toBe('uploaded');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { mediaType: MEDIA_TYPES.ociConfig, digest: blob.digest, size: blob.size },
        layers: [],
      }),
    );
    await pusher.putManifest('team/app', 'v1', manifest, MEDIA_TYPES.ociManifest);
    await pusher.putManifest('team/app', 'v2', manifest, MEDIA_TYPES.ociManifest);

    const requests = bearer.tokenRequests.slice(before);
    expect(requests.every((r) => r.user === bearer.username)).toBe(true);
    // One token for the HEAD (pull), one for the upload and manifests (pull,push): cached per scope set.
    expect(requests.map((r) => r.scopes)).toEqual([['repository:team/app:pull'], ['repository:team/app:pull,push']]);
  });

  it('shares one token fetch among parallel requests for the same scope', async () => {
    const puller = client({ username: bearer.username, password: bearer.password });
    await puller.ping(); // learns that the registry wants Bearer tokens
    const before = bearer.tokenRequests.length;
    const digests = [randomBlob(1), randomBlob(2), randomBlob(3)].map((b) => b.digest);
    expect(await Promise.all(digests.map((d) => puller.hasBlob('team/parallel', d)))).toEqual([false, false, false]);
    expect(bearer.tokenRequests.slice(before)).toEqual([{ user: bearer.username, scopes: ['repository:team/parallel:pull'] }]);
  });

  it('pulls anonymously with a token the server grants to anyone', async () => {
    const anonymous = client();
    const blob = randomBlob(1234);
    await client({ username: bearer.username, password: bearer.password }).pushBlob('team/public', blob);
    expect((await readAll(await anonymous.getBlob('team/public', blob.digest))).equals(blob.bytes)).toBe(true);
    expect(bearer.tokenRequests.at(-1)).toEqual({ user: undefined, scopes: ['repository:team/public:pull'] });
  });

  it('reports unauthorized when the token does not grant push', async () => {
    await expect(client().pushBlob('team/public', randomBlob(10))).rejects.toMatchObject({ reason: 'unauthorized' });
  });

  it('reports unauthorized when the token server refuses the credentials', async () => {
    await expect(client({ username: bearer.username, password: 'wrong' }).ping()).rejects.toMatchObject({
      reason: 'unauthorized',
      message: expect.stringContaining('check the username and password'),
    });
  });

  it('logs in by fetching a token with the credentials, and stores only accepted ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsbuild-bearer-login-'));
    try {
      await expect(login(bearer.host, bearer.username, 'wrong', { dockerConfig: dir })).rejects.toMatchObject({ reason: 'unauthorized' });
      await login(bearer.host, bearer.username, bearer.password, { dockerConfig: dir });
      expect(await readCredentials(bearer.host, dir)).toEqual({ username: bearer.username, password: bearer.password });
      expect(bearer.tokenRequests.at(-1)).toEqual({ user: bearer.username, scopes: [] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
