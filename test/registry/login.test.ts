import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { login, logout, readCredentials, RegistryClient, writeCredentials } from '../../src/registry/index.js';
import { registryUnavailableReason, startRegistry, type TestRegistry } from '../helpers/registry.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsbuild-docker-config-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const configFile = (): string => join(dir, 'config.json');
const readConfig = async (): Promise<{ auths: Record<string, { auth: string }>; [k: string]: unknown }> =>
  JSON.parse(await readFile(configFile(), 'utf8'));

describe('docker config credentials', () => {
  it('reads base64 auth and plain username/password entries, matching URL-shaped keys by host', async () => {
    await writeFile(
      configFile(),
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hub:pass').toString('base64') },
          'https://ghcr.io': { username: 'gh', password: 'tok' },
        },
      }),
    );
    expect(await readCredentials('docker.io', dir)).toEqual({ username: 'hubuser', password: 'hub:pass' });
    expect(await readCredentials('ghcr.io', dir)).toEqual({ username: 'gh', password: 'tok' });
    expect(await readCredentials('quay.io', dir)).toBeUndefined();
  });

  it('names the file when it is not JSON', async () => {
    await writeFile(configFile(), '{"auths": ');
    await expect(readCredentials('ghcr.io', dir)).rejects.toMatchObject({ reason: 'bad-docker-config', message: expect.stringContaining(configFile()) });
  });

  it('finds the file through DOCKER_CONFIG when no directory is given', async () => {
    await writeCredentials('example.com', { username: 'u', password: 'p' }, dir);
    const saved = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = dir;
    try {
      expect(await readCredentials('example.com')).toEqual({ username: 'u', password: 'p' });
    } finally {
      if (saved === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = saved;
    }
  });

  it('asks the credential helper named for the host before the auths entries', async () => {
    // A fake docker-credential helper: knows one server, says "credentials not found" for others.
    await writeFile(
      join(dir, 'docker-credential-fake'),
      [
        '#!/bin/sh',
        'read server',
        'if [ "$server" = "https://index.docker.io/v1/" ]; then echo \'{"ServerURL":"x","Username":"hub","Secret":"s3cret"}\'; exit 0; fi',
        'echo "credentials not found in native keychain"; exit 1',
      ].join('\n'),
    );
    await chmod(join(dir, 'docker-credential-fake'), 0o755);
    await writeFile(
      configFile(),
      JSON.stringify({
        credsStore: 'fake',
        credHelpers: { 'gone.io': 'not-installed' },
        auths: { 'quay.io': { auth: Buffer.from('q:p').toString('base64') }, 'gone.io': { auth: Buffer.from('g:p').toString('base64') } },
      }),
    );
    const savedPath = process.env.PATH;
    process.env.PATH = `${dir}:${savedPath}`;
    try {
      expect(await readCredentials('docker.io', dir)).toEqual({ username: 'hub', password: 's3cret' });
      expect(await readCredentials('quay.io', dir)).toEqual({ username: 'q', password: 'p' });
      expect(await readCredentials('gone.io', dir)).toEqual({ username: 'g', password: 'p' });
    } finally {
      process.env.PATH = savedPath;
    }
  });

  it('writes mode 0600, keeps unrelated settings, and stores Docker Hub under the key docker uses', async () => {
    await writeFile(configFile(), JSON.stringify({ credsStore: 'desktop', auths: { 'quay.io': { auth: 'eDp5' } } }), { mode: 0o644 });
    await writeCredentials('docker.io', { username: 'me', password: 'pw' }, dir);
    expect((await stat(configFile())).mode & 0o777).toBe(0o600);
    const config = await readConfig();
    expect(config.credsStore).toBe('desktop');
    expect(Object.keys(config.auths).sort()).toEqual(['https://index.docker.io/v1/', 'quay.io']);
    expect(Buffer.from(config.auths['https://index.docker.io/v1/']!.auth, 'base64').toString()).toBe('me:pw');
  });

  it('logs out every spelling of the host and says when there was nothing to remove', async () => {
    await writeFile(
      configFile(),
      JSON.stringify({ auths: { 'https://reg.example:5000/v2/': { auth: 'YTpi' }, 'reg.example:5000': { auth: 'YTpi' }, 'other.io': { auth: 'YTpi' } } }),
    );
    expect(await logout('reg.example:5000', { dockerConfig: dir })).toBe(true);
    expect(Object.keys((await readConfig()).auths)).toEqual(['other.io']);
    expect(await logout('reg.example:5000', { dockerConfig: dir })).toBe(false);
  });
});

describe.skipIf(registryUnavailableReason())('login against an htpasswd registry', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
  });
  afterAll(async () => registry?.stop());

  it('stores credentials that the registry accepts, which later clients then use', async () => {
    await login(registry.host, registry.username!, registry.password!, { dockerConfig: dir });
    expect(await readCredentials(registry.host, dir)).toEqual({ username: registry.username, password: registry.password });
    await expect(new RegistryClient({ host: registry.host, dockerConfig: dir }).ping()).resolves.toBeUndefined();
    await logout(registry.host, { dockerConfig: dir });
    await expect(new RegistryClient({ host: registry.host, dockerConfig: dir }).ping()).rejects.toMatchObject({ reason: 'unauthorized' });
  });

  it('writes nothing when the registry refuses the password', async () => {
    await expect(login(registry.host, registry.username!, 'wrong', { dockerConfig: dir })).rejects.toMatchObject({ reason: 'unauthorized' });
    await expect(stat(configFile())).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
