// The CLI flags against a registry that demands a login: credentials come from
// $DOCKER_CONFIG/config.json, written by `tsbuild login`, as for pushes and pulls.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tsbuild, type E2eEnv } from '../e2e/helpers.js';
import { registryUnavailableReason, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { machine, machines, shareBase } from './helpers.js';

const skipReason = registryUnavailableReason();

describe.skipIf(skipReason)('a cache in a registry that demands a login', () => {
  let registry: TestRegistry;
  let a: E2eEnv;
  let ref: string;
  const savedDockerConfig = process.env.DOCKER_CONFIG;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
    ref = `${registry.host}/cache/auth:main`;
    a = await machine();
    // The spawned CLI and this process's registry clients read credentials from here.
    process.env.DOCKER_CONFIG = mkdtempSync(join(a.work, 'docker-config-'));
  }, 60_000);
  afterAll(async () => {
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
    for (const env of machines) env.dispose();
    await registry?.stop();
  });

  it('fails a --cache-to export without credentials, naming the login to do', () => {
    const out = tsbuild(['build', '--progress', 'plain', '--cache-to', `type=registry,ref=${ref}`, a.context], { root: a.root });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain(`exporting cache to registry ${ref}`);
    expect(out.stderr).toContain(`tsbuild login ${registry.host}`);
  });

  it('warns on a --cache-from it may not read and still builds', () => {
    const out = tsbuild(['build', '--progress', 'plain', '--cache-from', `type=registry,ref=${ref}`, a.context], { root: a.root });
    expect(out.status).toBe(0);
    expect(out.stderr).toMatch(new RegExp(`warning: cannot import the cache at registry ${ref}: .*; building without it`));
  });

  it('exports and imports with the credentials of tsbuild login', async () => {
    const login = tsbuild(['login', '-u', registry.username!, '--password-stdin', registry.host], { root: a.root, input: registry.password! });
    expect(login.status).toBe(0);
    const exported = tsbuild(['build', '--progress', 'plain', '--cache-to', `type=registry,ref=${ref},mode=max`, a.context], { root: a.root });
    expect(exported.status).toBe(0);
    // Seven step layers and the busybox layer below them all.
    expect(exported.stderr).toContain('mode=max: 7 records, 8 layers');

    const baseRef = `${registry.host}/library/busybox:latest`;
    await shareBase(a, baseRef);
    const b = await machine(baseRef);
    const imported = tsbuild(['build', '--progress', 'plain', '--cache-from', ref, b.context], { root: b.root });
    expect(imported.status).toBe(0);
    expect(imported.stderr.match(/^#\d+ CACHED$/gm)).toHaveLength(7);
  });
});
