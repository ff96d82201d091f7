// The filesystem outputs (-o type=local, type=tar) of a real build: the merged filesystem of
// the image, deletions applied, owners and links kept, and no store view left mounted.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../src/api.js';
import { UsageError } from '../../src/errors.js';
import { exportTo, type OutputSpec } from '../../src/exporter/index.js';
import { openStore } from '../../src/store/index.js';
import { e2eEnv, type E2eEnv } from '../e2e/helpers.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await e2eEnv('mounts');
  writeFileSync(
    join(env.context, 'Dockerfile'),
    'FROM busybox:latest\nRUN mkdir /app && echo hi > /app/hello && chown 1000:2000 /app/hello && ln -s hello /app/link && rm /bin/ls\n',
  );
});
afterAll(() => env?.dispose());

describe('filesystem exporters', () => {
  it('write the same merged tree to a directory and to a tar, and release their views', async () => {
    const dir = join(env.work, 'out');
    const tarFile = join(env.work, 'out.tar');
    await build({
      context: env.context,
      root: env.root,
      outputs: [
        { type: 'local', dest: dir },
        { type: 'tar', dest: tarFile },
      ],
    });

    expect(readFileSync(join(dir, 'app/hello'), 'utf8')).toBe('hi\n');
    expect(lstatSync(join(dir, 'app/hello'))).toMatchObject({ uid: 1000, gid: 2000 });
    expect(readlinkSync(join(dir, 'app/link'))).toBe('hello');
    expect(existsSync(join(dir, 'bin/sh'))).toBe(true);
    expect(existsSync(join(dir, 'bin/ls'))).toBe(false);
    // No overlay bookkeeping leaks into the output.
    expect(readdirSync(dir, { recursive: true }).filter((n) => String(n).split('/').pop()!.startsWith('.wh.'))).toEqual([]);

    const listed = execFileSync('tar', ['-tf', tarFile], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((n) => n.replace(/\/$/, ''));
    const walked = (readdirSync(dir, { recursive: true }) as string[]).sort();
    expect(listed.sort()).toEqual(walked);

    expect(readdirSync(join(env.root, 'views'))).toEqual([]);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(join(env.root, 'views'));
  });

  it('write an empty tree for an image without layers', async () => {
    const context = join(env.work, 'scratch');
    mkdirSync(context);
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nLABEL empty=yes\n');
    const dir = join(env.work, 'scratch-out');
    const tarFile = join(env.work, 'scratch.tar');
    await build({
      context,
      root: env.root,
      outputs: [
        { type: 'local', dest: dir },
        { type: 'tar', dest: tarFile },
      ],
    });
    expect(readdirSync(dir)).toEqual([]);
    expect(execFileSync('tar', ['-tf', tarFile], { encoding: 'utf8' })).toBe('');
  });

  it('refuses an output type it does not know, naming the ones it does', async () => {
    const store = openStore(env.root);
    try {
      const target = {
        store,
        imageId: '',
        platforms: [],
        tags: [],
        sourceDateEpoch: undefined,
        insecureRegistries: [],
        track: <T>(_: string, w: () => Promise<T>) => w(),
      };
      const bogus = { type: 'ftp' } as unknown as OutputSpec;
      await expect(exportTo(bogus, target)).rejects.toThrow(UsageError);
      await expect(exportTo(bogus, target)).rejects.toThrow(/unknown output type "ftp": use image, registry, docker, oci, tar, local/);
    } finally {
      store.close();
    }
  });
});
