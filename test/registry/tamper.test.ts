import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_TYPES } from '../../src/image/oci-types.js';
import { RegistryClient } from '../../src/registry/index.js';
import { startProxy, type TestProxy } from './support/proxy.js';
import { randomBlob, readAll } from './support/blobs.js';

/** A fake registry that serves whatever each test puts in `routes`, to check what the client refuses. */
describe('content that does not match its digest', () => {
  const routes = new Map<string, { headers: Record<string, string>; body: string | Buffer }>();
  let fake: TestProxy;
  let client: RegistryClient;

  beforeAll(async () => {
    fake = await startProxy('http://127.0.0.1:9', (req) => {
      const route = routes.get(`${req.method} ${req.url}`);
      return route ? { kind: 'respond', status: 200, headers: route.headers, body: route.body } : { kind: 'respond', status: 404 };
    });
    client = new RegistryClient({ host: fake.host, dockerConfig: '/nonexistent', retry: { attempts: 1 } });
  });
  afterAll(async () => fake?.stop());

  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: {}, layers: [] });

  it('refuses a manifest fetched by digest whose bytes hash differently', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    routes.set(`GET /v2/x/manifests/${digest}`, { headers: { 'content-type': MEDIA_TYPES.ociManifest }, body: manifest });
    await expect(client.getManifest('x', digest)).rejects.toMatchObject({ reason: 'digest-mismatch' });
  });

  it('refuses a manifest fetched by tag whose Docker-Content-Digest disagrees with its bytes', async () => {
    routes.set('GET /v2/x/manifests/t', {
      headers: { 'content-type': MEDIA_TYPES.ociManifest, 'docker-content-digest': `sha256:${'b'.repeat(64)}` },
      body: manifest,
    });
    await expect(client.getManifest('x', 't')).rejects.toMatchObject({ reason: 'digest-mismatch' });
  });

  it('takes the media type from the body when the server sends application/json', async () => {
    routes.set('GET /v2/x/manifests/old', { headers: { 'content-type': 'application/json' }, body: manifest });
    await expect(client.getManifest('x', 'old')).resolves.toMatchObject({ mediaType: MEDIA_TYPES.ociManifest });
  });

  it('fails a blob stream that carries more bytes than its descriptor says', async () => {
    const blob = randomBlob(100);
    routes.set(`GET /v2/x/blobs/${blob.digest}`, { headers: {}, body: Buffer.concat([blob.bytes, Buffer.from('extra')]) });
    await expect(readAll(await client.getBlob('x', blob.digest, { size: 100 }))).rejects.toMatchObject({ reason: 'size-mismatch' });
  });
});
