import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostsFile, resolvConf } from '../../src/executor/etc-files.js';
import { parseExtraHost, resolveExtraHosts } from '../../src/executor/extra-hosts.js';

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
    expect(await resolvConf(false, undefined, path)).toBe('options edns0\nsearch example.com\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n');
    expect(await resolvConf(true, undefined, path)).toBe('nameserver 127.0.0.53\noptions edns0\nsearch example.com\n');
  });

  it('keeps real resolvers as they are', async () => {
    const path = join(dir, 'real.conf');
    await writeFile(path, 'nameserver 10.0.0.2\n');
    expect(await resolvConf(false, undefined, path)).toBe('nameserver 10.0.0.2\n');
    expect(await resolvConf(false, '10.0.2.3', path)).toBe('nameserver 10.0.0.2\n');
  });

  it('puts the forwarder where the first loopback resolver was, once', async () => {
    const path = join(dir, 'mixed.conf');
    await writeFile(path, 'search corp\nnameserver 127.0.0.53\nnameserver 192.0.2.53\nnameserver ::1\n');
    expect(await resolvConf(false, '10.0.2.3', path)).toBe('search corp\nnameserver 10.0.2.3\nnameserver 192.0.2.53\n');
    await writeFile(path, 'options ndots:2\n');
    expect(await resolvConf(false, '10.0.2.3', path)).toBe('options ndots:2\nnameserver 10.0.2.3\n');
  });

  it('appends --add-host entries to /etc/hosts', () => {
    expect(hostsFile('h', [{ host: 'db', ip: '10.1.2.3' }])).toBe('127.0.0.1\tlocalhost h\n::1\tlocalhost ip6-localhost ip6-loopback\n10.1.2.3\tdb\n');
  });
});

describe('--add-host values', () => {
  it('reads HOST:IP and HOST=IP, IPv6 with or without brackets', () => {
    expect(parseExtraHost('db:10.1.2.3')).toEqual({ host: 'db', ip: '10.1.2.3' });
    expect(parseExtraHost('db=10.1.2.3')).toEqual({ host: 'db', ip: '10.1.2.3' });
    expect(parseExtraHost('v6:2001:db8::1')).toEqual({ host: 'v6', ip: '2001:db8::1' });
    expect(parseExtraHost('v6=[::1]')).toEqual({ host: 'v6', ip: '::1' });
    expect(parseExtraHost('host.docker.internal:host-gateway')).toEqual({ host: 'host.docker.internal', ip: 'host-gateway' });
  });

  it('refuses a missing name or a bad address, naming the value', () => {
    expect(() => parseExtraHost('justaname')).toThrow('bad format for add-host: "justaname"');
    expect(() => parseExtraHost(':10.0.0.1')).toThrow('bad format for add-host');
    expect(() => parseExtraHost('db:10.0.0.300')).toThrow('invalid IP address in add-host: "10.0.0.300"');
  });

  it('maps host-gateway to the gateway of the step network, or loopback on the host network', () => {
    const hosts = [
      { host: 'h', ip: 'host-gateway' },
      { host: 'x', ip: '10.9.9.9' },
    ];
    expect(resolveExtraHosts(hosts, 'default')).toEqual([
      { host: 'h', ip: '10.0.2.2' },
      { host: 'x', ip: '10.9.9.9' },
    ]);
    expect(resolveExtraHosts(hosts, 'host')[0]).toEqual({ host: 'h', ip: '127.0.0.1' });
  });
});
