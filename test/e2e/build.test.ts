import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildEvent, type BuildResult } from '../../src/api.js';
import { e2eEnv, skopeo, tsbuild, type E2eEnv } from './helpers.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await e2eEnv('e2e');
});
afterAll(() => env?.dispose());

async function buildE2e(extra: { noCache?: boolean; buildArgs?: Record<string, string> } = {}): Promise<{ result: BuildResult; events: BuildEvent[] }> {
  const events: BuildEvent[] = [];
  const result = await build({ context: env.context, root: env.root, tags: ['e2e:latest'], onEvent: (e) => events.push(e), ...extra });
  return { result, events };
}

const ran = (result: BuildResult): string[] => result.steps.filter((s) => !s.cached).map((s) => s.name);

describe('a multi-stage build end to end', () => {
  let first: { result: BuildResult; events: BuildEvent[] };

  beforeAll(async () => {
    first = await buildE2e();
  });

  it('produces an image that runs as USER app in its WORKDIR and prints what the Dockerfile made', () => {
    const out = tsbuild(['run', 'e2e:latest'], { root: env.root });
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toBe('hello from app in /home/app\nmessage v1\nconfig v1\n');
  });

  it('passes build args and ENV to the image config', () => {
    const out = tsbuild(['inspect', 'e2e:latest'], { root: env.root });
    const [info] = JSON.parse(out.stdout) as [{ Config: { Env: string[]; User: string; WorkingDir: string } }];
    expect(info.Config.Env).toContain('GREETING=hello');
    expect(info.Config.User).toBe('app');
    expect(info.Config.WorkingDir).toBe('/home/app');
  });

  it('runs the two independent stages at the same time', () => {
    const starts = new Map<string, number>();
    const ends = new Map<string, number>();
    for (const e of first.events) {
      if (e.type === 'vertex-start') starts.set(e.vertex.name, e.time);
      if (e.type === 'vertex-done') ends.set(e.vertex.name, e.time);
    }
    const toolRun = [...starts.keys()].find((n) => n.startsWith('[tools') && n.includes('RUN'))!;
    const appCopy = [...starts.keys()].find((n) => n.startsWith('[app') && n.includes('COPY'))!;
    // Overlap, judged by order not duration: each started before the other finished.
    expect(starts.get(toolRun)!).toBeLessThanOrEqual(ends.get(appCopy)!);
    expect(starts.get(appCopy)!).toBeLessThanOrEqual(ends.get(toolRun)!);
  });

  it('takes every step from the cache on a second build, with the same image ID', async () => {
    const second = await buildE2e();
    expect(ran(second.result)).toEqual([]);
    expect(second.result.imageId).toBe(first.result.imageId);
  });

  it('reruns only the steps that depend on an edited source file', async () => {
    appendFileSync(join(env.context, 'app/config.txt'), 'config v2\n');
    const edited = await buildE2e();
    expect(ran(edited.result).sort()).toEqual(
      [
        '[app 3/4] COPY app/ ./',
        '[app 4/4] RUN cat message.txt config.txt > bundle.txt',
        '[stage-2 3/4] COPY --from=app --chown=app:app /src/bundle.txt /home/app/bundle.txt',
        '[stage-2 4/4] WORKDIR /home/app',
      ].sort(),
    );
  });

  it('reruns a RUN step when a build arg it sees changes, and nothing in unrelated stages', async () => {
    const changed = await buildE2e({ buildArgs: { TOOL_VERSION: '3.0' } });
    expect(ran(changed.result).some((n) => n.startsWith('[tools 2/2] RUN'))).toBe(true);
    expect(ran(changed.result).some((n) => n.startsWith('[app'))).toBe(false);
  });

  it('reruns every step with noCache, and a cache mount keeps its content across builds', async () => {
    const fresh = await buildE2e({ noCache: true });
    expect(fresh.result.steps.every((s) => !s.cached)).toBe(true);
    const out = tsbuild(['run', 'e2e:latest', 'cat', '/opt/tool.txt'], { root: env.root });
    // The cache mount saw the runs of earlier builds: it lives in the store, not in a layer.
    expect(out.stdout).toMatch(/^tool 2\.1, cache runs: [3-9]\n$/);
  });
});

describe('the solver', () => {
  it('keeps the steps before a failed step cached', () => {
    const file = join(env.work, 'Dockerfile.partial');
    writeFileSync(file, 'FROM busybox:latest\nRUN echo first > /first\nRUN test -e /ok-to-continue\n');
    expect(tsbuild(['build', '-f', file, env.context], { root: env.root }).status).toBe(1);
    writeFileSync(file, 'FROM busybox:latest\nRUN echo first > /first\nRUN test -e /first\n');
    const retry = tsbuild(['build', '--progress', 'plain', '-f', file, env.context], { root: env.root });
    expect(retry.status).toBe(0);
    expect(retry.stderr).toMatch(/#\d+ \[2\/3\] RUN echo first > \/first\n#\d+ CACHED/);
  });

  it('runs identical steps of one build once', async () => {
    const file = join(env.work, 'Dockerfile.twins');
    const twin = 'RUN --mount=type=cache,id=twins,target=/c echo ran >> /c/count && cp /c/count /count\n';
    writeFileSync(
      file,
      `FROM busybox:latest AS a\n${twin}FROM busybox:latest AS b\n${twin}FROM busybox:latest\nCOPY --from=a /count /a\nCOPY --from=b /count /b\n`,
    );
    await build({ context: env.context, dockerfile: file, root: env.root, tags: ['twins:1'] });
    expect(tsbuild(['run', 'twins:1', 'cat', '/a', '/b'], { root: env.root }).stdout).toBe('ran\nran\n');
  });
});

describe('the CLI', () => {
  it('exits 1 on a failing RUN and shows the Dockerfile excerpt and the command output', () => {
    writeFileSync(join(env.work, 'Dockerfile.fail'), 'FROM busybox:latest\nRUN echo preparing\nRUN echo "about to fail" && exit 3\nCMD ["true"]\n');
    const out = tsbuild(['build', '--progress', 'plain', '-f', join(env.work, 'Dockerfile.fail'), env.context], { root: env.root });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('Dockerfile.fail:3');
    expect(out.stderr).toContain('   3 | >>> RUN echo "about to fail" && exit 3');
    expect(out.stderr).toContain('about to fail');
    expect(out.stderr).toContain('did not complete successfully: exit code: 3');
  });

  it('exits 2 on a bad Dockerfile with the line and a suggestion', () => {
    const out = tsbuild(['build', '-f', '-', env.context], { root: env.root, input: 'FROM busybox:latest\nRUNN echo hi\n' });
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('Dockerfile:2');
    expect(out.stderr).toContain('>>> RUNN echo hi');
    expect(out.stderr).toMatch(/did you mean RUN/i);
  });

  it('prints only the image ID with -q and writes the metadata file', () => {
    const meta = join(env.work, 'meta.json');
    const out = tsbuild(['build', '-q', '--metadata-file', meta, '-t', 'e2e:cli', env.context], { root: env.root });
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    const metadata = JSON.parse(readFileSync(meta, 'utf8')) as Record<string, string>;
    expect(metadata['containerimage.config.digest']).toBe(out.stdout.trim());
    expect(metadata['containerimage.digest']).toMatch(/^sha256:/);
  });

  it('exports a docker-archive that skopeo reads, with the built config', () => {
    const archive = join(env.work, 'e2e.tar');
    const out = tsbuild(['build', '-q', '-t', 'e2e:archive', '-o', `type=docker,dest=${archive}`, env.context], { root: env.root });
    expect(out.status).toBe(0);
    const info = JSON.parse(skopeo(['inspect', '--config', `docker-archive:${archive}`])) as { config: { User: string } };
    expect(info.config.User).toBe('app');
  });
});
