import { describe, expect, it } from 'vitest';
import { parseChallenges } from '../../src/registry/index.js';

describe('parseChallenges', () => {
  it('reads a Bearer challenge whose quoted scope holds commas', () => {
    expect(
      parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push"'),
    ).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull,push' },
      },
    ]);
  });

  it('splits two challenges that fetch joined into one header', () => {
    const parsed = parseChallenges('Basic realm="Registry Realm", Bearer realm="https://t/token", service=reg');
    expect(parsed.map((c) => c.scheme)).toEqual(['basic', 'bearer']);
    expect(parsed[1]!.params).toEqual({ realm: 'https://t/token', service: 'reg' });
  });

  it('accepts unquoted URLs, escaped quotes and odd case', () => {
    expect(parseChallenges('BEARER Realm=http://127.0.0.1:9/token , Service="a \\"b\\""')).toEqual([
      { scheme: 'bearer', params: { realm: 'http://127.0.0.1:9/token', service: 'a "b"' } },
    ]);
  });

  it('returns nothing for an empty header', () => {
    expect(parseChallenges('')).toEqual([]);
  });
});
