// After `pull repo@sha256:…`, the same digest reference finds the image for inspect and run:
// the registry's manifest digest differs from the store's own manifest of the image.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnv, tsbuild, type E2eEnv } from '../e2e/helpers.js';
import { registryUnavailableReason, startRegistry, type TestRegistry } from '../helpers/registry.js';

describe.skipIf(registryUnavailableReason())('pull by digest', () => {
  let env: E2eEnv;
  let registry: TestRegistry;
  beforeAll(async () => {
    env = await e2eEnv('kill');
    registry = await startRegistry();
  }, 120_000);
  afterAll(async () => {
    await registry?.stop();
    env?.dispose();
  });

  it('inspect and run find the image by the digest reference it was pulled by', () => {
    const pushed = tsbuild(['push', '--insecure-registry', registry.host, 'busybox', `${registry.host}/pin/bb:1`], { root: env.root });
    expect(pushed.status).toBe(0);
    const digest = /sha256:[0-9a-f]{64}/.exec(pushed.stdout)?.[0];
    expect(digest).toBeDefined();
    const ref = `${registry.host}/pin/bb@${digest}`;
    const other = join(env.work, 'other-store');
    expect(tsbuild(['pull', '--insecure-registry', registry.host, ref], { root: other }).status).toBe(0);
    const inspect = tsbuild(['inspect', ref], { root: other });
    expect(inspect.status).toBe(0);
    expect(JSON.parse(inspect.stdout)[0].Id).toMatch(/^sha256:/);
    const run = tsbuild(['run', '--rm', ref, 'echo', 'pinned'], { root: other });
    expect(run.stdout).toBe('pinned\n');
  });
});
