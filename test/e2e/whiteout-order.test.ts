// A RUN that renames a directory over another (as `npm install` does with node_modules) leaves
// an opaque directory whose own entries sort before `.wh..wh..opq`. Every consumer must apply
// that layer to the same tree: our store after a load, and skopeo + umoci.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAll } from '../image/helpers.js';
import { e2eEnv, tsbuild, type E2eEnv } from './helpers.js';

const DOCKERFILE = `FROM busybox
RUN mkdir -p /n/node_modules/.bin && echo old > /n/node_modules/.package-lock.json && echo t > /n/node_modules/.bin/t && echo gone > /n/node_modules/old
RUN mkdir /c && echo x > /c/.h && echo y > /c/-a && echo v > /c/v && mv /c /c2 \\
 && mkdir /n/tmp && echo new > /n/tmp/.package-lock.json && mkdir /n/tmp/.bin && echo u > /n/tmp/.bin/u \\
 && rm -rf /n/node_modules && mv /n/tmp /n/node_modules
`;
// Every path under /c2 and /n with its content, as the image must hold it.
const LISTING = 'cd / && find c2 n | sort | while read -r p; do if [ -f "$p" ]; then echo "$p $(cat "$p")"; else echo "$p/"; fi; done';
const EXPECTED = [
  'c2/',
  'c2/-a y',
  'c2/.h x',
  'c2/v v',
  'n/',
  'n/node_modules/',
  'n/node_modules/.bin/',
  'n/node_modules/.bin/u u',
  'n/node_modules/.package-lock.json new',
  '',
].join('\n');

let built: E2eEnv;
let loaded: E2eEnv;
let archive: string;
beforeAll(async () => {
  [built, loaded] = await Promise.all([e2eEnv('e2e'), e2eEnv('e2e')]);
  const context = join(built.work, 'rename');
  mkdirSync(context);
  writeFileSync(join(context, 'Dockerfile'), DOCKERFILE);
  const build = tsbuild(['build', '-q', '-t', 'rename:1', context], { root: built.root });
  expect(build.stderr).toBe('');
  expect(build.status).toBe(0);
  archive = join(built.work, 'rename-oci.tar');
  expect(tsbuild(['save', '--format', 'oci', '-o', archive, 'rename:1'], { root: built.root }).status).toBe(0);
});
afterAll(() => {
  built?.dispose();
  loaded?.dispose();
});

describe('a layer whose RUN renamed directories', () => {
  it('holds every file the RUN left, in the store that built it', () => {
    const out = tsbuild(['run', 'rename:1', 'sh', '-c', LISTING], { root: built.root });
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe(EXPECTED);
  });

  it("puts each directory's whiteouts right after the directory, before its other children", async () => {
    const layout = join(built.work, 'layout');
    mkdirSync(layout);
    execFileSync('tar', ['-xf', archive, '-C', layout]);
    const blob = (digest: string): string => join(layout, 'blobs', ...digest.split(':'));
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    const manifest = JSON.parse(readFileSync(blob(index.manifests[0]!.digest), 'utf8')) as { layers: Array<{ digest: string }> };
    const names = (await readAll(readFileSync(blob(manifest.layers.at(-1)!.digest)))).map((e) => e.header.name);
    expect(names).toEqual([
      'c2/',
      'c2/.wh..wh..opq',
      'c2/-a',
      'c2/.h',
      'c2/v',
      'n/',
      'n/node_modules/',
      'n/node_modules/.wh..wh..opq',
      'n/node_modules/.bin/',
      'n/node_modules/.bin/u',
      'n/node_modules/.package-lock.json',
    ]);
  });

  it('gives the same tree after a load into another store', () => {
    const load = tsbuild(['load', '-i', archive], { root: loaded.root });
    expect(load.status).toBe(0);
    const out = tsbuild(['run', 'rename:1', 'sh', '-c', LISTING], { root: loaded.root });
    expect(out.stdout).toBe(EXPECTED);
  });

  it('gives the same tree through skopeo copy and umoci unpack', () => {
    const layout = join(built.work, 'skopeo-layout');
    execFileSync('skopeo', ['copy', '-q', `oci-archive:${archive}`, `oci:${layout}:rename`]);
    const bundle = join(built.work, 'bundle');
    execFileSync('umoci', ['unpack', '--image', `${layout}:rename`, bundle]);
    const out = execFileSync('sh', ['-c', LISTING.replace('cd /', `cd ${join(bundle, 'rootfs')}`)], { encoding: 'utf8' });
    expect(out).toBe(EXPECTED);
  });
});
