// The published package, installed as a user would: `npm pack`, then `npm install` of the
// tarball into an empty project (dependencies come from the npm registry; native code is
// compiled at install), then a build through `npx tsbuild` and through `import … from 'tsbuild'`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repo } from '../e2e/helpers.js';
import { busyboxMissing, busyboxRootfsTar } from '../helpers/busybox-rootfs.js';

describe.skipIf(busyboxMissing())('npm package', () => {
  let base: string;
  let project: string;
  let env: NodeJS.ProcessEnv;
  const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { cwd: project, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'tsbuild-pack-'));
    project = join(base, 'project');
    mkdirSync(project);
    // better-sqlite3 would first try to download a prebuilt binary from GitHub, which this
    // network does not reach: build it from source straight away.
    env = { ...process.env, TSBUILD_ROOT: join(base, 'store'), npm_config_build_from_source: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
    // dist/ is built by `npm test` first; prepack would rebuild it under the feet of suites running beside this one.
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', base], { cwd: repo, env, stdio: 'ignore' });
    const tarball = readdirSync(base).find((f) => f.endsWith('.tgz'))!;
    const listing = execFileSync('tar', ['-tzf', join(base, tarball)], { encoding: 'utf8' }).split('\n');
    expect(listing).toEqual(
      expect.arrayContaining([
        'package/binding.gyp',
        'package/native/init/tsbuild-init.c',
        'package/native/addon/tsbuild_native.c',
        'package/dist/api.js',
        'package/bin/tsbuild',
      ]),
    );
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
    run('npm', ['install', join(base, tarball)]);
    busyboxRootfsTar(join(base, 'busybox.tar'), base);
    mkdirSync(join(project, 'app'));
    writeFileSync(join(project, 'app/Dockerfile'), 'FROM busybox\nRUN echo built-by-package > /proof\n');
  }, 900_000);

  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('builds with npx tsbuild', () => {
    run('npx', ['tsbuild', 'import', join(base, 'busybox.tar'), '-t', 'busybox:latest']);
    const id = run('npx', ['tsbuild', 'build', '-q', '-t', 'pkg:cli', 'app']).trim();
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run('npx', ['tsbuild', 'run', 'pkg:cli', 'cat', '/proof'])).toBe('built-by-package\n');
  }, 120_000);

  it("builds with import { build } from 'tsbuild'", () => {
    writeFileSync(
      join(project, 'script.mjs'),
      `import { build, listImages, runImage } from 'tsbuild';
const result = await build({ context: 'app', tags: ['pkg:api'] });
const names = (await listImages({ filters: { reference: ['pkg:*'] } })).flatMap((i) => i.repoTags).sort();
let out = '';
await runImage({ image: 'pkg:api', command: ['cat', '/proof'], onOutput: (_s, d) => { out += d; } });
console.log(JSON.stringify({ id: result.imageId, names, out }));
`,
    );
    const printed = JSON.parse(run('node', ['script.mjs'])) as { id: string; names: string[]; out: string };
    expect(printed.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(printed.names).toContain('pkg:api');
    expect(printed.out).toBe('built-by-package\n');
  }, 120_000);
});
