import type { IncomingMessage } from 'node:http';
import { connect, createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_TYPES } from '../../src/image/oci-types.js';
import { RegistryClient } from '../../src/registry/index.js';
import { freePort, registryUnavailableReason, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { randomBlob, readAll } from './support/blobs.js';
import { startProxy, type ProxyAction, type TestProxy } from './support/proxy.js';

const skipReason = registryUnavailableReason();
const CHUNK = 32 * 1024;

describe.skipIf(skipReason)('retries through a flaky connection', () => {
  let registry: TestRegistry;
  let proxy: TestProxy;
  /** Set per test: decides the fate of each request; forwards when it returns undefined. */
  let fault: (req: IncomingMessage) => ProxyAction | undefined = () => undefined;
  let client: RegistryClient;

  beforeAll(async () => {
    registry = await startRegistry();
    proxy = await startProxy(registry.url, (req) => fault(req) ?? { kind: 'forward' });
    client = new RegistryClient({
      host: proxy.host,
      chunkSize: CHUNK,
      dockerConfig: '/nonexistent',
      retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 50 },
    });
  });
  afterEach(() => {
    fault = () => undefined;
    proxy.requests.length = 0;
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  /** Applies `action` to the first `times` requests that `match` accepts. */
  function failFirst(times: number, match: (req: IncomingMessage) => boolean, action: ProxyAction): void {
    let left = times;
    fault = (req) => (match(req) && left-- > 0 ? action : undefined);
  }

  async function pushManifest(repo: string): Promise<string> {
    const config = randomBlob(100);
    await client.pushBlob(repo, config);
    const bytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { mediaType: MEDIA_TYPES.ociConfig, digest: config.digest, size: config.size },
        layers: [],
      }),
    );
    return client.putManifest(repo, 'latest', bytes, MEDIA_TYPES.ociManifest);
  }

  it('retries a manifest fetch after 503s and connection resets', async () => {
    const digest = await pushManifest('flaky/a');
    let n = 0;
    fault = (req) => (req.method === 'GET' && n++ < 2 ? (n === 1 ? { kind: 'respond', status: 503 } : { kind: 'reset' }) : undefined);
    expect((await client.getManifest('flaky/a', 'latest')).digest).toBe(digest);
    expect(proxy.requests.filter((r) => r.startsWith('GET /v2/flaky/a/manifests/'))).toHaveLength(3);
  });

  it('honours 429 with Retry-After', async () => {
    await pushManifest('flaky/b');
    failFirst(1, (req) => req.method === 'GET', { kind: 'respond', status: 429, headers: { 'retry-after': '0' } });
    await expect(client.getManifest('flaky/b', 'latest')).resolves.toMatchObject({ mediaType: MEDIA_TYPES.ociManifest });
  });

  it('gives up after the configured number of attempts', async () => {
    fault = () => ({ kind: 'respond', status: 502 });
    await expect(client.getManifest('flaky/c', 'latest')).rejects.toMatchObject({ reason: 'unavailable', status: 502 });
    expect(proxy.requests).toHaveLength(4);
  });

  it('continues a chunked upload after a chunk is lost, from the range the registry reports', async () => {
    const blob = randomBlob(CHUNK * 3 + 5);
    let patches = 0;
    fault = (req) => (req.method === 'PATCH' && ++patches === 2 ? { kind: 'reset' } : undefined);
    expect(await client.pushBlob('flaky/chunks', blob)).toBe('uploaded');
    expect(proxy.requests.filter((r) => r.startsWith('POST'))).toHaveLength(1); // same session throughout
    expect(proxy.requests.filter((r) => r.startsWith('GET /v2/flaky/chunks/blobs/uploads/'))).toHaveLength(1);
    expect((await readAll(await client.getBlob('flaky/chunks', blob.digest))).equals(blob.bytes)).toBe(true);
  });

  it('asks for the rest of a blob when the download breaks off, and verifies the whole', async () => {
    const blob = randomBlob(300_000);
    await client.pushBlob('flaky/download', blob);
    const ranges: (string | undefined)[] = [];
    fault = (req) => {
      if (req.method !== 'GET' || !req.url?.includes('/blobs/sha256:')) return undefined;
      ranges.push(req.headers.range);
      return ranges.length <= 2 ? { kind: 'truncate', after: 100_000 } : undefined;
    };
    expect((await readAll(await client.getBlob('flaky/download', blob.digest, { size: blob.size }))).equals(blob.bytes)).toBe(true);
    expect(ranges).toEqual([undefined, 'bytes=100000-', 'bytes=200000-']);
  });

  it('skips what it already has when the registry ignores Range and sends the blob again', async () => {
    const blob = randomBlob(250_000);
    await client.pushBlob('flaky/norange', blob);
    let gets = 0;
    fault = (req) => {
      if (req.method !== 'GET' || !req.url?.includes('/blobs/sha256:')) return undefined;
      delete req.headers.range; // as a registry without Range support would behave
      return ++gets === 1 ? { kind: 'truncate', after: 120_000 } : undefined;
    };
    expect((await readAll(await client.getBlob('flaky/norange', blob.digest, { size: blob.size }))).equals(blob.bytes)).toBe(true);
    expect(gets).toBe(2);
  });

  it('starts a new session when a monolithic upload fails', async () => {
    const blob = randomBlob(1000);
    failFirst(1, (req) => req.method === 'PUT', { kind: 'respond', status: 500 });
    expect(await client.pushBlob('flaky/mono', blob)).toBe('uploaded');
    expect(proxy.requests.filter((r) => r.startsWith('POST'))).toHaveLength(2);
    expect(await client.hasBlob('flaky/mono', blob.digest)).toBe(true);
  });
});

describe.skipIf(skipReason)('a registry that is not up yet', () => {
  let registry: TestRegistry;
  let forwarder: Server | undefined;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await new Promise((resolve) => (forwarder ? forwarder.close(resolve) : resolve(undefined)));
    await registry?.stop();
  });

  it('retries refused connections with backoff until it answers', async () => {
    const direct = new RegistryClient({ host: registry.host, dockerConfig: '/nonexistent' });
    const config = randomBlob(100);
    await direct.pushBlob('late/a', config);
    const bytes = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { mediaType: MEDIA_TYPES.ociConfig, digest: config.digest, size: config.size },
        layers: [],
      }),
    );
    const digest = await direct.putManifest('late/a', 'latest', bytes, MEDIA_TYPES.ociManifest);

    // Nothing listens on the port when the fetch starts: the first tries are refused.
    const port = await freePort();
    const client = new RegistryClient({
      host: `127.0.0.1:${port}`,
      dockerConfig: '/nonexistent',
      retry: { attempts: 8, baseDelayMs: 50, maxDelayMs: 400 },
    });
    let refusedBefore = 0;
    const fetching = client.getManifest('late/a', 'latest');
    for (let i = 0; i < 100 && refusedBefore === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      refusedBefore = await new Promise<number>((resolve) => {
        const probe = connect(port, '127.0.0.1');
        probe.on('error', () => resolve(1));
        probe.on('connect', () => (probe.destroy(), resolve(0)));
      });
    }
    expect(refusedBefore).toBe(1);
    const [host, registryPort] = registry.host.split(':');
    forwarder = createServer((socket) => {
      const upstream = connect(Number(registryPort), host);
      socket.pipe(upstream).pipe(socket);
      const close = () => (socket.destroy(), upstream.destroy());
      socket.on('error', close);
      upstream.on('error', close);
    });
    await new Promise<void>((resolve) => forwarder!.listen(port, '127.0.0.1', resolve));
    expect((await fetching).digest).toBe(digest);
  });
});
