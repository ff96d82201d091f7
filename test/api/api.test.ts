// The public API as a build script uses it: the store-level functions the CLI is made of,
// typed errors with codes, cancellation through `signal`, and the example under examples/.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as api from '../../src/api.js';
import { e2eEnv, repo, type E2eEnv } from '../e2e/helpers.js';
import { busyboxMissing } from '../helpers/busybox-rootfs.js';

describe.skipIf(busyboxMissing())('public API', () => {
  let env: E2eEnv;
  let context: string;
  const at = (): { root: string } => ({ root: env.root });

  beforeAll(async () => {
    env = await e2eEnv('multistage');
    context = join(env.work, 'ctx');
    mkdirSync(context);
    writeFileSync(join(context, 'Dockerfile'), 'FROM busybox\nLABEL kind=api\nRUN echo made > /made\nCMD ["cat", "/made"]\n');
    await api.build({ context, tags: ['api:1'], root: env.root });
  }, 60_000);

  afterAll(() => env?.dispose());

  it('lists, inspects, shows history, tags and removes images', async () => {
    const listed = await api.listImages({ ...at(), filters: { label: ['kind=api'] } });
    expect(listed.map((i) => i.repoTags)).toEqual([['api:1']]);
    const [inspected] = await api.inspectImage('api:1', at());
    expect(inspected!.Id).toBe(listed[0]!.id);
    expect(inspected!.Config.Labels).toEqual({ kind: 'api' });
    const history = await api.imageHistory('api:1', at());
    expect(history[0]).toMatchObject({ id: listed[0]!.id, createdBy: 'CMD ["cat" "/made"]', size: 0 });
    expect(history.find((h) => h.createdBy.includes('echo made'))!.size).toBeGreaterThan(0);
    expect(await api.tagImage('api:1', 'api:alias', at())).toBe('api:alias');
    expect(await api.removeImage('api:alias', at())).toEqual({ untagged: ['api:alias'], deleted: [] });
    await expect(api.inspectImage('nope:1', at())).rejects.toMatchObject({ code: 'image-not-found', exitCode: 1 });
  });

  it('saves to a stream and loads from one, then runs the image', async () => {
    const pipe = new PassThrough();
    const chunks: Buffer[] = [];
    pipe.on('data', (c: Buffer) => chunks.push(c));
    await api.saveImages(['api:1'], pipe, at());
    const other = join(env.work, 'other');
    const stream = new PassThrough();
    stream.end(Buffer.concat(chunks));
    const loaded = await api.loadImages(stream, { root: other });
    expect(loaded.map((l) => l.tags)).toEqual([['api:1']]);
    let out = '';
    const result = await api.runImage({ root: other, image: 'api:1', onOutput: (_s, d) => (out += d.toString()) });
    expect(result.exitCode).toBe(0);
    expect(out).toBe('made\n');
  });

  it('exports the error classes with their codes and exit codes', async () => {
    await expect(api.build({ context: join(env.work, 'missing'), root: env.root })).rejects.toSatisfy(
      (err: unknown) =>
        err instanceof api.ContextError &&
        err.code === 'context' &&
        err.message === `unable to prepare context: path "${join(env.work, 'missing')}" not found`,
    );
    await expect(api.build({ context, tags: ['Bad:Tag'], root: env.root })).rejects.toBeInstanceOf(api.UsageError);
    writeFileSync(join(env.work, 'bad.Dockerfile'), 'FROM busybox\nRUN exit 3\n');
    await expect(api.build({ context, dockerfile: join(env.work, 'bad.Dockerfile'), root: env.root })).rejects.toSatisfy(
      (err: unknown) => err instanceof api.BuildStepError && err.exitCode === 1 && err.range.start.line === 2,
    );
    expect(new api.BuildCanceledError().exitCode).toBe(130);
  });

  // The step sleeps 60 s, the test's whole time budget: it passes only if the abort stops it.
  it('signal: an abort stops the running step, rejects and tags nothing', async () => {
    writeFileSync(join(env.work, 'slow.Dockerfile'), 'FROM busybox\nRUN echo going; sleep 60\n');
    const controller = new AbortController();
    const events: api.BuildEvent[] = [];
    let aborted = false;
    const building = api.build({
      context,
      dockerfile: join(env.work, 'slow.Dockerfile'),
      tags: ['api:slow'],
      root: env.root,
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'vertex-log' && e.data.includes('going') && !aborted) {
          aborted = true;
          controller.abort();
        }
      },
    });
    await expect(building).rejects.toBeInstanceOf(api.BuildCanceledError);
    expect(events.some((e) => e.type === 'vertex-canceled' && e.vertex.name.includes('sleep 60'))).toBe(true);
    expect(await api.listImages({ ...at(), filters: { reference: ['api:slow'] } })).toEqual([]);
    expect(existsSync(join(env.root, 'tmp')) ? readdirSync(join(env.root, 'tmp')) : []).toEqual([]);
  });

  it('renders BuildKit-style progress for a script', () => {
    const written: string[] = [];
    const renderer = api.createRenderer('plain', { write: (s: string) => written.push(s), isTTY: false } as unknown as NodeJS.WriteStream);
    renderer.onEvent({ type: 'vertex-start', vertex: { number: 1, name: 'step' }, time: 0 });
    renderer.finish();
    expect(written.join('')).toBe('#1 step\n');
  });

  it('examples/build-script.ts type-checks and runs against the built package', () => {
    execFileSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', join(repo, 'examples/tsconfig.json')], { cwd: repo });
    const out = join(env.work, 'example-out');
    mkdirSync(out);
    const r = spawnSync(process.execPath, [join(repo, 'node_modules/tsx/dist/cli.mjs'), join(repo, 'examples/build-script.ts'), context, 'example:1'], {
      cwd: repo,
      env: { ...process.env, TSBUILD_ROOT: env.root, EXAMPLE_OUT: out },
      encoding: 'utf8',
    });
    expect(r.stderr).toContain('exporting to image');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^built sha256:[0-9a-f]{64} \(\d+\/\d+ steps cached\)\n/);
    expect(r.stdout).toContain('tagged example:from-script');
    expect(r.stdout).toContain('hello from the image\n');
    expect(existsSync(join(out, 'image.tar'))).toBe(true);
  });
});
