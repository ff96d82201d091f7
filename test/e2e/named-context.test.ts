// A named directory context is keyed by its content: editing a file there reruns the steps
// that read it (COPY --from and RUN --mount=type=bind,from=) and the image holds the new file.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../src/api.js';
import { openStore } from '../../src/store/index.js';
import { e2eEnv, type E2eEnv } from './helpers.js';

let env: E2eEnv;
let lib: string;
beforeAll(async () => {
  env = await e2eEnv('mounts');
  lib = join(env.work, 'lib');
  mkdirSync(lib);
  writeFileSync(join(lib, 'a.txt'), 'first\n');
  writeFileSync(
    join(env.context, 'Dockerfile'),
    [
      'FROM busybox:latest',
      'COPY --from=lib a.txt /copied.txt',
      'RUN --mount=type=bind,from=lib,target=/mnt/lib cat /mnt/lib/a.txt > /mounted.txt',
      '',
    ].join('\n'),
  );
});
afterAll(() => env?.dispose());

/** The two files the steps wrote, read from their snapshots in the store. */
function imageFiles(): { copied: string; mounted: string } {
  const store = openStore(env.root);
  try {
    const chain = store.resolveImage('named:1')!.chainIds;
    return {
      copied: readFileSync(join(store.snapshotDir(chain.at(-2)!), 'copied.txt'), 'utf8'),
      mounted: readFileSync(join(store.snapshotDir(chain.at(-1)!), 'mounted.txt'), 'utf8'),
    };
  } finally {
    store.close();
  }
}

describe('a named directory context', () => {
  it('gives the edited file on a rebuild, through COPY --from and a bind mount from=', async () => {
    const options = { context: env.context, root: env.root, tags: ['named:1'], buildContexts: { lib } };
    await build(options);
    expect(imageFiles()).toEqual({ copied: 'first\n', mounted: 'first\n' });

    const cached = await build(options);
    expect(cached.steps.every((s) => s.cached)).toBe(true);

    writeFileSync(join(lib, 'a.txt'), 'second\n');
    const rebuilt = await build(options);
    expect(rebuilt.steps.filter((s) => !s.cached).map((s) => s.name)).toEqual([
      '[2/3] COPY --from=lib a.txt /copied.txt',
      '[3/3] RUN --mount=type=bind,from=lib,target=/mnt/lib cat /mnt/lib/a.txt > /mounted.txt',
    ]);
    expect(imageFiles()).toEqual({ copied: 'second\n', mounted: 'second\n' });
  });
});
