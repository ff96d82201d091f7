// Machine A builds testdata/e2e and exports its cache to a real docker-registry and to an OCI
// layout directory; fresh machines (stores) import it.
import { appendFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildResult } from '../../src/api.js';
import { MEDIA_TYPES, type ImageIndex, type ImageManifest } from '../../src/image/oci-types.js';
import { RegistryClient } from '../../src/registry/index.js';
import { CACHE_CONFIG_MEDIA_TYPE, type CacheConfig } from '../../src/remote-cache/index.js';
import { openStore } from '../../src/store/index.js';
import { skopeo, type E2eEnv } from '../e2e/helpers.js';
import { blobDataPath, registryUnavailableReason, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { buildOn, EXPECTED_OUTPUT, machine, machines, ran, runImage, shareBase } from './helpers.js';

const skipReason = registryUnavailableReason();
const TARGET_STAGE = '[stage-2 ';

/** Which of A's steps have their snapshot in `env`'s store: a layer is there only if it was built or pulled there. */
function snapshotsOfAIn(a: BuildResult, env: E2eEnv): string[] {
  const store = openStore(env.root);
  try {
    return a.steps
      .filter((s) => store.hasSnapshot(s.chainId))
      .map((s) => s.name)
      .sort();
  } finally {
    store.close();
  }
}

describe.skipIf(skipReason)('a build cache shared by two machines', () => {
  let registry: TestRegistry;
  let a: E2eEnv;
  let first: BuildResult;
  let baseRef: string;
  let refMax: string;
  let refMin: string;
  let localDir: string;
  let firstLogs: string;

  beforeAll(async () => {
    registry = await startRegistry();
    baseRef = `${registry.host}/library/busybox:latest`;
    refMax = `${registry.host}/cache/e2e:max`;
    refMin = `${registry.host}/cache/e2e:min`;
    a = await machine();
    await shareBase(a, baseRef);
    localDir = join(a.work, 'cache-dir');
    ({ result: first, logs: firstLogs } = await buildOn(a, {
      cacheTo: [
        { type: 'registry', ref: refMax, mode: 'max' },
        { type: 'registry', ref: refMin },
        { type: 'local', dest: localDir, mode: 'max' },
      ],
    }));
  }, 120_000);
  afterAll(async () => {
    for (const env of machines) env.dispose();
    await registry?.stop();
  });

  async function registryCache(ref: string): Promise<{ digest: string; manifest: ImageManifest; config: CacheConfig }> {
    const client = new RegistryClient({ host: registry.host });
    const fetched = await client.getManifest('cache/e2e', ref.split(':').at(-1)!);
    const manifest = JSON.parse(fetched.bytes.toString()) as ImageManifest;
    const chunks: Buffer[] = [];
    for await (const chunk of await client.getBlob('cache/e2e', manifest.config.digest)) chunks.push(chunk as Buffer);
    return { digest: fetched.digest, manifest, config: JSON.parse(Buffer.concat(chunks).toString()) as CacheConfig };
  }

  it('pushes an OCI manifest the registry accepts, with every step in mode=max and only the target stage in mode=min', async () => {
    const max = await registryCache(refMax);
    const min = await registryCache(refMin);
    expect(max.manifest.mediaType).toBe(MEDIA_TYPES.ociManifest);
    expect(max.manifest.config.mediaType).toBe(CACHE_CONFIG_MEDIA_TYPE);
    expect(max.manifest.layers.every((l) => l.mediaType === MEDIA_TYPES.ociLayerGzip)).toBe(true);
    expect(max.config.records.map((r) => r.key).sort()).toEqual(first.steps.map((s) => s.key).sort());
    expect(max.config.records).toHaveLength(7);
    const targetKeys = first.steps
      .filter((s) => s.name.startsWith(TARGET_STAGE))
      .map((s) => s.key)
      .sort();
    expect(min.config.records.map((r) => r.key).sort()).toEqual(targetKeys);
    expect(min.config.records).toHaveLength(3);
    // A record lists its whole chain: busybox, then the stage's three layers up to WORKDIR.
    const workdir = first.steps.find((s) => s.name.startsWith('[stage-2 4/4]'))!;
    expect(max.config.records.find((r) => r.key === workdir.key)!.layers).toHaveLength(4);
    // containers/image (skopeo) reads it as an ordinary OCI manifest.
    const raw = JSON.parse(skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${refMax}`])) as ImageManifest;
    expect(raw.config.digest).toBe(max.manifest.config.digest);
  });

  it('writes the very same manifest into an OCI layout directory', async () => {
    const index = JSON.parse(readFileSync(join(localDir, 'index.json'), 'utf8')) as ImageIndex;
    expect(index.manifests.map((m) => m.digest)).toEqual([(await registryCache(refMax)).digest]);
    expect(JSON.parse(readFileSync(join(localDir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
  });

  it('shows each layer the export sends, with its bytes', () => {
    expect(firstLogs).toMatch(/^[0-9a-f]{12}: Pushing \d+\.\d{2}MB \/ \d+\.\d{2}MB$/m);
    expect(firstLogs).toMatch(/^[0-9a-f]{12}: Pushed$/m);
  });

  it('takes every step from the registry on a fresh machine, giving the same image that runs the same', async () => {
    const b = await machine(baseRef);
    const { result, logs } = await buildOn(b, { cacheFrom: [{ type: 'registry', ref: refMax }] });
    // Each layer that came over is shown with its bytes, as BuildKit shows cache imports.
    expect(logs).toMatch(/^[0-9a-f]{12}: Downloading \d+\.\d{2}MB \/ \d+\.\d{2}MB$/m);
    expect(logs).toMatch(/^[0-9a-f]{12}: Download complete$/m);
    expect(ran(result)).toEqual([]);
    expect(result.imageId).toBe(first.imageId);
    expect(runImage(b)).toBe(EXPECTED_OUTPUT);
  });

  it('reruns only the steps that depend on an edited file and pulls only the layers the hits need', async () => {
    const c = await machine(baseRef);
    appendFileSync(join(c.context, 'app/config.txt'), 'config v2\n');
    const { result } = await buildOn(c, { cacheFrom: [{ type: 'local', src: localDir }] });
    expect(ran(result)).toEqual(
      [
        '[app 3/4] COPY app/ ./',
        '[app 4/4] RUN cat message.txt config.txt > bundle.txt',
        '[stage-2 3/4] COPY --from=app --chown=app:app /src/bundle.txt /home/app/bundle.txt',
        '[stage-2 4/4] WORKDIR /home/app',
      ].sort(),
    );
    // Of A's seven step layers, exactly the three under the hits came over.
    const hits = result.steps
      .filter((s) => s.cached)
      .map((s) => s.name)
      .sort();
    expect(hits).toHaveLength(3);
    expect(snapshotsOfAIn(first, c)).toEqual(hits);
    expect(runImage(c)).toBe(`${EXPECTED_OUTPUT}config v2\n`);
  });

  it('takes only the target stage from a mode=min cache, and the stages it copies from run', async () => {
    const d = await machine(baseRef);
    const { result } = await buildOn(d, { cacheFrom: [{ type: 'registry', ref: refMin }] });
    expect(ran(result).every((name) => !name.startsWith(TARGET_STAGE))).toBe(true);
    expect(
      result.steps
        .filter((s) => s.cached)
        .map((s) => s.name)
        .every((name) => name.startsWith(TARGET_STAGE)),
    ).toBe(true);
    expect(result.steps.filter((s) => s.cached)).toHaveLength(3);
  });

  it('ignores imported records with noCache', async () => {
    const d = await machine(baseRef);
    const { result, events } = await buildOn(d, { noCache: true, cacheFrom: [{ type: 'registry', ref: refMax }] });
    expect(result.steps.every((s) => !s.cached)).toBe(true);
    expect(events.some((e) => e.vertex.name.startsWith('importing cache'))).toBe(false);
  });

  it('warns about a cache that is not there and builds anyway', async () => {
    const missingDir = join(a.work, 'no-such-dir');
    const { result, logs } = await buildOn(a, {
      cacheFrom: [
        { type: 'registry', ref: `${registry.host}/cache/none:latest` },
        { type: 'local', src: missingDir },
      ],
    });
    expect(result.imageId).toBe(first.imageId);
    expect(logs).toContain(`warning: no cache found at registry ${registry.host}/cache/none:latest; building without it`);
    expect(logs).toContain(`warning: no cache found at local ${missingDir}; building without it`);
  });

  /** The blob of a step's own layer in the mode=max cache. */
  async function layerOf(stepPrefix: string): Promise<{ step: BuildResult['steps'][number]; digest: string }> {
    const { manifest, config } = await registryCache(refMax);
    const step = first.steps.find((s) => s.name.startsWith(stepPrefix))!;
    return { step, digest: manifest.layers[config.records.find((r) => r.key === step.key)!.layers.at(-1)!]!.digest };
  }

  /** Flips one byte in the middle: same size, other digest. */
  function tamper(file: string): void {
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1]! ^= 0xff;
    writeFileSync(file, bytes);
  }

  it('rejects a cache layer whose bytes do not match its digest and runs that step instead', async () => {
    const e = await machine(baseRef);
    const corrupt = join(e.work, 'corrupt-cache');
    cpSync(localDir, corrupt, { recursive: true });
    const { step: runStep, digest } = await layerOf('[app 4/4] RUN');
    tamper(join(corrupt, 'blobs/sha256', digest.slice('sha256:'.length)));
    const { result, logs } = await buildOn(e, { cacheFrom: [{ type: 'local', src: corrupt }] });
    expect(ran(result)).toEqual([runStep.name]);
    expect(logs).toContain(`warning: cache layer ${digest} from local ${corrupt} is unusable: layer blob: digest mismatch`);
    expect(logs).toContain('; running the step instead');
    expect(runImage(e)).toBe(EXPECTED_OUTPUT);
  });

  // Last: it damages the registry's copy for every later reader.
  it('rejects a layer the registry serves with the wrong bytes, mid-stream, and runs that step instead', async () => {
    const f = await machine(baseRef);
    const { step, digest } = await layerOf('[stage-2 4/4] WORKDIR');
    tamper(blobDataPath(registry.storageDir, digest));
    const { result, logs } = await buildOn(f, { cacheFrom: [{ type: 'registry', ref: refMax }] });
    expect(ran(result)).toEqual([step.name]);
    expect(logs).toContain(`warning: cache layer ${digest} from registry ${refMax} is unusable:`);
    expect(runImage(f)).toBe(EXPECTED_OUTPUT);
  });
});
