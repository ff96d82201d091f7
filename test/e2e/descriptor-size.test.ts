// An OCI descriptor whose size does not match its blob is refused on load, for the manifest
// (named by index.json) and for a layer (named by the manifest), even when digests match.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnv, tsbuild, type E2eEnv } from './helpers.js';

interface Desc {
  mediaType: string;
  digest: string;
  size: number;
}

describe('OCI descriptor sizes', () => {
  let env: E2eEnv;
  let layout: string;
  beforeAll(async () => {
    env = await e2eEnv('kill');
    const tar = join(env.work, 'oci.tar');
    expect(tsbuild(['save', '--format', 'oci', '-o', tar, 'busybox'], { root: env.root }).status).toBe(0);
    layout = join(env.work, 'layout');
    mkdirSync(layout);
    execFileSync('tar', ['-xf', tar, '-C', layout]);
  }, 120_000);
  afterAll(() => env?.dispose());

  const blob = (dir: string, digest: string) => join(dir, 'blobs/sha256', digest.slice(7));

  function copyLayout(name: string): string {
    const dir = join(env.work, name);
    rmSync(dir, { recursive: true, force: true });
    execFileSync('cp', ['-a', layout, dir]);
    return dir;
  }

  it('loads the untouched layout', () => {
    expect(tsbuild(['load', '-i', layout], { root: join(env.work, 'store-ok') }).status).toBe(0);
  });

  it('refuses a manifest whose index entry states another size', () => {
    const dir = copyLayout('bad-manifest-size');
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    index.manifests[0].size += 1;
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
    const r = tsbuild(['load', '-i', dir], { root: join(env.work, 'store-1') });
    expect(r.stderr).toMatch(/is \d+ bytes but its descriptor says \d+/);
    expect(r.status).toBe(1);
  });

  it('refuses a layer whose manifest entry states another size', () => {
    const dir = copyLayout('bad-layer-size');
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(blob(dir, index.manifests[0].digest), 'utf8'));
    (manifest.layers as Desc[])[0]!.size -= 1;
    const bytes = Buffer.from(JSON.stringify(manifest));
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    writeFileSync(blob(dir, digest), bytes);
    index.manifests[0] = { ...index.manifests[0], digest, size: bytes.length };
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
    const r = tsbuild(['load', '-i', dir], { root: join(env.work, 'store-2') });
    expect(r.stderr).toMatch(/is \d+ bytes but its descriptor says \d+/);
    expect(r.stderr).not.toContain('internal error');
    expect(r.status).toBe(1);
  });
});
