import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostsFile, resolvConf } from '../../src/executor/etc-files.js';

describe('sandbox /etc files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-etc-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes localhost and the hostname into /etc/hosts', () => {
    expect(hostsFile('buildkitsandbox')).toBe('127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n');
  });

  it('drops loopback resolvers outside the host network and falls back to public DNS', async () => {
    const path = join(dir, 'stub.conf');
    await writeFile(path, 'nameserver 127.0.0.53\noptions edns0\nsearch example.com\n');
    expect(await resolvConf(false, path)).toBe('options edns0\nsearch example.com\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n');
    expect(await resolvConf(true, path)).toBe('nameserver 127.0.0.53\noptions edns0\nsearch example.com\n');
  });

  it('keeps real resolvers as they are', async () => {
    const path = join(dir, 'real.conf');
    await writeFile(path, 'nameserver 10.0.0.2\n');
    expect(await resolvConf(false, path)).toBe('nameserver 10.0.0.2\n');
  });
});
