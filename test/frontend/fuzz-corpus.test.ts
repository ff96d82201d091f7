// Every hostile Dockerfile of testdata/fuzz stops with exit 2 and its Dockerfile line: never
// a crash, a hang, an out-of-memory or a stack trace. The spawn timeout only guards against
// a hang; the bounds themselves make each file fail in well under a second.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnv, repo, type E2eEnv } from '../e2e/helpers.js';

const corpus = join(repo, 'testdata/fuzz');
const files = readdirSync(corpus)
  .filter((n) => n.endsWith('.Dockerfile'))
  .sort();
const HANG_GUARD_MS = 30_000;

describe('hostile Dockerfiles', () => {
  let env: E2eEnv;
  let context: string;
  beforeAll(async () => {
    env = await e2eEnv('kill');
    context = join(env.work, 'fuzz-context');
    mkdirSync(context);
    writeFileSync(join(context, 'f'), 'a file to COPY\n');
  }, 120_000);
  afterAll(() => env?.dispose());

  it('has a corpus', () => expect(files.length).toBeGreaterThan(30));

  it.each(files)(
    '%s: exit 2 at a Dockerfile line',
    (name) => {
      const r = spawnSync(process.execPath, [join(repo, 'bin/tsbuild'), 'build', '--progress', 'plain', '-f', join(corpus, name), context], {
        env: { ...process.env, TSBUILD_ROOT: env.root },
        encoding: 'latin1',
        timeout: HANG_GUARD_MS,
        maxBuffer: 64 << 20,
      });
      expect(r.signal).toBeNull();
      expect(r.stderr).not.toMatch(/internal error|heap out of memory|RangeError|\n\s+at .*:\d+:\d+\)?\n/);
      expect(r.stderr).toMatch(new RegExp(`^${name.replace(/\./g, '\\.')}:\\d+(-\\d+)?$`, 'm'));
      expect(r.stderr).toMatch(/^ERROR: /m);
      expect(r.status).toBe(2);
    },
    HANG_GUARD_MS + 5_000,
  );
});
