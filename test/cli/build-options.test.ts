import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { formatPlatform, hostPlatform } from '../../src/platform.js';
import { normalizeBuildOptions } from '../../src/solver/options.js';

const host = hostPlatform();
const otherArch = host.architecture === 'amd64' ? 'arm64' : 'amd64';

beforeEach(() => {
  vi.stubEnv('SOURCE_DATE_EPOCH', '');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('normalizeBuildOptions', () => {
  it('fills every default from the context alone', () => {
    const o = normalizeBuildOptions({ context: '/ctx' });
    expect(o).toMatchObject({
      context: '/ctx',
      tags: [],
      buildArgs: {},
      noCache: false,
      noCacheFilter: [],
      pull: false,
      labels: {},
      network: 'default',
      secrets: [],
      ssh: [],
      outputs: [{ type: 'image' }],
      buildContexts: {},
      allow: [],
      insecureRegistries: [],
      maxParallelism: Infinity,
      platform: host,
    });
    expect(o.sourceDateEpoch).toBeUndefined();
    // Options added later must get a default too: only the optional fields may stay unset.
    const unset = Object.entries(o)
      .filter(([, v]) => v === undefined)
      .map(([k]) => k);
    expect(unset).toEqual(['sourceDateEpoch']);
  });

  it('forwards $SSH_AUTH_SOCK for an --ssh without a socket, and refuses one when it is not set', () => {
    vi.stubEnv('SSH_AUTH_SOCK', '/tmp/agent.sock');
    expect(
      normalizeBuildOptions({
        context: '.',
        ssh: [
          { id: 'default', paths: [] },
          { id: 'gh', paths: ['/k'] },
        ],
      }).ssh,
    ).toEqual([
      { id: 'default', paths: ['/tmp/agent.sock'] },
      { id: 'gh', paths: ['/k'] },
    ]);
    vi.stubEnv('SSH_AUTH_SOCK', '');
    const err = (() => {
      try {
        normalizeBuildOptions({ context: '.', ssh: [{ id: 'default', paths: [] }] });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(
      '--ssh default: no agent socket given and SSH_AUTH_SOCK is not set; start ssh-agent, or pass --ssh default=SOCKET',
    );
  });

  it('keeps the values it is given', () => {
    const onEvent = (): void => undefined;
    const o = normalizeBuildOptions({
      context: '.',
      dockerfile: 'build/Dockerfile',
      tags: ['app:1'],
      buildArgs: { A: '1' },
      target: 'prod',
      noCache: true,
      network: 'none',
      outputs: [{ type: 'oci', dest: 'out.tar' }],
      allow: ['network.host'],
      maxParallelism: 3,
      sourceDateEpoch: 0,
      onEvent,
    });
    expect(o).toMatchObject({
      dockerfile: 'build/Dockerfile',
      tags: ['app:1'],
      buildArgs: { A: '1' },
      target: 'prod',
      noCache: true,
      network: 'none',
      outputs: [{ type: 'oci', dest: 'out.tar' }],
      allow: ['network.host'],
      maxParallelism: 3,
      sourceDateEpoch: 0,
    });
    expect(o.onEvent).toBe(onEvent);
  });

  it('accepts the host platform, written in any case, and parses it', () => {
    const o = normalizeBuildOptions({ context: '.', platform: formatPlatform(host).toUpperCase() });
    expect(o.platform).toEqual(host);
  });

  it('takes several platforms, comma-separated or as a list, in order and without duplicates', () => {
    const foreign = { os: 'linux', architecture: otherArch };
    const fromText = normalizeBuildOptions({ context: '.', platform: `${formatPlatform(host)}, linux/${otherArch},${formatPlatform(host)}` });
    expect(fromText.platforms).toEqual([host, foreign]);
    expect(fromText.platform).toEqual(host);
    expect(normalizeBuildOptions({ context: '.', platform: [`linux/${otherArch}`, formatPlatform(host)] }).platforms).toEqual([foreign, host]);
    expect(normalizeBuildOptions({ context: '.' }).platforms).toEqual([host]);
    expect(normalizeBuildOptions({ context: '.', platform: 'linux/arm64/v8,linux/arm64' }).platforms).toEqual([{ os: 'linux', architecture: 'arm64' }]);
  });

  it('reports a malformed platform in a list as a usage error', () => {
    expect(() => normalizeBuildOptions({ context: '.', platform: `${formatPlatform(host)},arm64` })).toThrow(UsageError);
  });

  it('reports a malformed platform as a usage error', () => {
    // `--platform amd64` is a typo on the command line: exit code 2, like every other bad flag value.
    expect(() => normalizeBuildOptions({ context: '.', platform: 'amd64' })).toThrow(UsageError);
  });

  it('refuses a max-parallelism that is not a positive whole number', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => normalizeBuildOptions({ context: '.', maxParallelism: bad })).toThrow(UsageError);
    }
    expect(() => normalizeBuildOptions({ context: '.', maxParallelism: 0 })).toThrow('--max-parallelism must be a positive whole number, got 0');
  });

  it('reads SOURCE_DATE_EPOCH from the environment as whole seconds', () => {
    vi.stubEnv('SOURCE_DATE_EPOCH', '1700000000');
    expect(normalizeBuildOptions({ context: '.' }).sourceDateEpoch).toBe(1_700_000_000);
    vi.stubEnv('SOURCE_DATE_EPOCH', '0');
    expect(normalizeBuildOptions({ context: '.' }).sourceDateEpoch).toBe(0);
  });

  it('treats an empty SOURCE_DATE_EPOCH as unset', () => {
    vi.stubEnv('SOURCE_DATE_EPOCH', '');
    expect(normalizeBuildOptions({ context: '.' }).sourceDateEpoch).toBeUndefined();
  });

  it('refuses a SOURCE_DATE_EPOCH that is negative, fractional or not a number', () => {
    for (const bad of ['-1', '1.5', 'yesterday']) {
      vi.stubEnv('SOURCE_DATE_EPOCH', bad);
      expect(() => normalizeBuildOptions({ context: '.' })).toThrow(UsageError);
      expect(() => normalizeBuildOptions({ context: '.' })).toThrow(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${bad}"`);
    }
  });

  it('lets the sourceDateEpoch option win over the environment', () => {
    vi.stubEnv('SOURCE_DATE_EPOCH', '1700000000');
    expect(normalizeBuildOptions({ context: '.', sourceDateEpoch: 42 }).sourceDateEpoch).toBe(42);
  });
});
