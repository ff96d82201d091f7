// .dockerignore decides what a build sees of its context, everywhere: `COPY .` and a RUN
// bind mount of the context leave out what it excludes, the Dockerfile and the ignore file
// included (BuildKit sends the Dockerfile apart from the context); both are still read.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnv, tsbuild, type E2eEnv } from './helpers.js';

const DOCKERFILE = `FROM busybox
COPY . /x
RUN --mount=type=bind,target=/m cd /m && find . | sort > /bind.txt && (touch /m/new 2>/dev/null && echo writable || echo read-only) >> /bind.txt
RUN --mount=type=bind,target=/m,rw cd /m && find . | sort > /bind-rw.txt && touch /m/new && echo writable >> /bind-rw.txt
RUN --mount=type=bind,source=sub,target=/m cd /m && find . | sort > /bind-sub.txt
`;
// As \`docker init\` writes it, plus a secret and a directory with an exception inside.
const DOCKERIGNORE = '**/.dockerignore\n**/Dockerfile*\n.env\nsub\n!sub/deep\n';

let env: E2eEnv;
let context: string;
beforeAll(async () => {
  env = await e2eEnv('e2e');
  context = join(env.work, 'ignored');
  mkdirSync(join(context, 'sub/deep'), { recursive: true });
  writeFileSync(join(context, 'Dockerfile'), DOCKERFILE);
  writeFileSync(join(context, '.dockerignore'), DOCKERIGNORE);
  writeFileSync(join(context, '.env'), 'SECRET=1\n');
  writeFileSync(join(context, 'a'), 'a\n');
  writeFileSync(join(context, 'sub/Dockerfile.dev'), 'FROM x\n');
  writeFileSync(join(context, 'sub/other'), 'o\n');
  writeFileSync(join(context, 'sub/deep/k'), 'k\n');
  const build = tsbuild(['build', '-q', '-t', 'ignored:1', context], { root: env.root });
  expect(build.stderr).toBe('');
  expect(build.status).toBe(0);
});
afterAll(() => env?.dispose());

const cat = (file: string): string => tsbuild(['run', 'ignored:1', 'cat', file], { root: env.root }).stdout;

describe('a context whose .dockerignore excludes the Dockerfile and itself', () => {
  it('builds from that Dockerfile, and COPY . leaves out everything excluded', () => {
    const out = tsbuild(['run', 'ignored:1', 'find', '/x'], { root: env.root });
    expect(out.stdout.split('\n').filter(Boolean).sort()).toEqual(['/x', '/x/a', '/x/sub', '/x/sub/deep', '/x/sub/deep/k']);
  });

  it('hides what it excludes from a read-only bind mount of the context, which stays read-only', () => {
    expect(cat('/bind.txt')).toBe('.\n./a\n./sub\n./sub/deep\n./sub/deep/k\nread-only\n');
  });

  it('hides it from a writable bind mount too, whose writes never reach the context', () => {
    expect(cat('/bind-rw.txt')).toBe('.\n./a\n./sub\n./sub/deep\n./sub/deep/k\nwritable\n');
    expect(existsSync(join(context, 'new'))).toBe(false);
  });

  it('hides it under a bind mount of a subdirectory', () => {
    expect(cat('/bind-sub.txt')).toBe('.\n./deep\n./deep/k\n');
  });
});
