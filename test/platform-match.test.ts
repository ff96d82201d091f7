import { describe, expect, it } from 'vitest';
import type { Descriptor } from '../src/image/oci-types.js';
import { selectPlatform } from '../src/platform-match.js';

const entry = (architecture: string, variant?: string, os = 'linux'): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${architecture}${variant ?? ''}${os}`,
  size: 1,
  platform: variant ? { os, architecture, variant } : { os, architecture },
});

describe('selectPlatform', () => {
  const index = [
    entry('unknown', undefined, 'unknown'),
    entry('amd64'),
    entry('arm', 'v6'),
    entry('arm', 'v7'),
    entry('arm64', 'v8'),
    entry('amd64', undefined, 'windows'),
  ];

  it('matches os and architecture and ignores attestation entries', () => {
    expect(selectPlatform(index, { os: 'linux', architecture: 'amd64' })).toBe(index[1]);
  });

  it('treats a missing arm64 variant as v8 on either side', () => {
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm64' })).toBe(index[4]);
    expect(selectPlatform([entry('arm64')], { os: 'linux', architecture: 'arm64', variant: 'v8' })).toBeDefined();
  });

  it('prefers the exact arm variant and falls back to older ones', () => {
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v7' })).toBe(index[3]);
    expect(selectPlatform([entry('arm', 'v6'), entry('arm', 'v5')], { os: 'linux', architecture: 'arm', variant: 'v7' })?.platform?.variant).toBe('v6');
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v5' })).toBeUndefined();
  });

  it('understands uname spellings of architectures', () => {
    expect(selectPlatform(index, { os: 'linux', architecture: 'x86_64' })).toBe(index[1]);
    expect(selectPlatform(index, { os: 'linux', architecture: 'aarch64' })).toBe(index[4]);
  });

  it('finds nothing for a platform the index lacks', () => {
    expect(selectPlatform(index, { os: 'linux', architecture: 's390x' })).toBeUndefined();
  });
});
