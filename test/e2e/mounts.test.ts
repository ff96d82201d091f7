import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildEvent } from '../../src/api.js';
import { e2eEnv, tsbuild, type E2eEnv } from './helpers.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await e2eEnv('mounts');
});
afterAll(() => env?.dispose());

function dockerfile(name: string, text: string): string {
  const path = join(env.work, name);
  writeFileSync(path, text);
  return path;
}

describe('RUN mounts in a build', () => {
  it('refuses a bind mount whose source leads out of the context through a symlink', () => {
    const hostHostname = readFileSync('/etc/hostname', 'utf8').trim();
    symlinkSync('/etc', join(env.context, 'host-etc'));
    symlinkSync('../../../../../../etc', join(env.context, 'up-etc'));
    for (const source of ['host-etc', 'up-etc']) {
      const file = dockerfile(`Dockerfile.${source}`, `FROM busybox:latest\nRUN --mount=type=bind,source=${source},target=/x cat /x/hostname\n`);
      const out = tsbuild(['build', '-f', file, env.context], { root: env.root });
      expect(out.status).toBe(1);
      // Refused when the step's cache key hashes the source, before any mount is made.
      expect(out.stderr).toMatch(new RegExp(`${source}.*(points|leads) outside the build context`));
      expect(out.stderr + out.stdout).not.toContain(`#4 ${hostHostname}`);
    }
  });

  it('keeps a secret out of the image, the history, the logs and the cache key', async () => {
    const secretFile = join(env.work, 'token');
    const file = dockerfile('Dockerfile.secret', 'FROM busybox:latest\nRUN --mount=type=secret,id=token wc -c < /run/secrets/token > /length\n');
    const events: BuildEvent[] = [];
    writeFileSync(secretFile, 's3cr3t-value-1');
    const first = await build({
      context: env.context,
      dockerfile: file,
      root: env.root,
      tags: ['secret:1'],
      secrets: [{ id: 'token', src: secretFile }],
      onEvent: (e) => events.push(e),
    });
    expect(JSON.stringify(events)).not.toContain('s3cr3t');
    // A new secret value is not a new cache key: BuildKit does not rerun the step either.
    writeFileSync(secretFile, 's3cr3t-value-2');
    const second = await build({
      context: env.context,
      dockerfile: file,
      root: env.root,
      tags: ['secret:1'],
      secrets: [{ id: 'token', src: secretFile }],
    });
    expect(second.steps.every((s) => s.cached)).toBe(true);
    expect(second.imageId).toBe(first.imageId);
    const archive = join(env.work, 'secret.tar');
    expect(tsbuild(['save', '-o', archive, 'secret:1'], { root: env.root }).status).toBe(0);
    expect(readFileSync(archive).includes('s3cr3t')).toBe(false);
    expect(tsbuild(['inspect', 'secret:1'], { root: env.root }).stdout).not.toContain('s3cr3t');
    expect(tsbuild(['run', 'secret:1', 'cat', '/length'], { root: env.root }).stdout).toBe('14\n');
  });

  it('fails a step whose required secret was not given, naming the flag to pass', () => {
    const file = dockerfile('Dockerfile.required', 'FROM busybox:latest\nRUN --mount=type=secret,id=npmrc,required=true cat /run/secrets/npmrc\n');
    const out = tsbuild(['build', '-f', file, env.context], { root: env.root });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('--secret id=npmrc');
  });

  it('seeds a new cache mount from the context with from= and source=, and keeps it out of the layer', () => {
    const file = dockerfile(
      'Dockerfile.seed',
      'FROM busybox:latest AS src\nCOPY seed.txt /seed/seed.txt\nFROM busybox:latest\nRUN --mount=type=cache,id=seeded,target=/cache,from=src,source=/seed cat /cache/seed.txt > /copied.txt\n',
    );
    const out = tsbuild(['build', '-q', '-t', 'seeded:1', '-f', file, env.context], { root: env.root });
    expect(out.stderr).toBe('');
    expect(tsbuild(['run', 'seeded:1', 'sh', '-c', 'cat /copied.txt; test -e /cache && echo present || echo absent'], { root: env.root }).stdout).toBe(
      'seed content\nabsent\n',
    );
  });

  it('runs steps that share a locked cache mount one at a time', async () => {
    const file = dockerfile(
      'Dockerfile.locked',
      ['one', 'two', 'three']
        .map(
          (n) =>
            `FROM busybox:latest AS ${n}\nRUN --mount=type=cache,id=lock-test,target=/c,sharing=locked ` +
            `sh -c 'test ! -e /c/busy && touch /c/busy && sleep 0.3 && rm /c/busy && echo ${n} > /r'\n`,
        )
        .join('') + 'FROM busybox:latest\nCOPY --from=one /r /one\nCOPY --from=two /r /two\nCOPY --from=three /r /three\n',
    );
    const result = await build({ context: env.context, dockerfile: file, root: env.root, maxParallelism: 3 });
    expect(result.steps.filter((s) => s.name.includes('RUN') && !s.cached)).toHaveLength(3);
  });
});
