// The COPY/ADD table: each case in testdata/copy-cases is run through copyToLayer and the
// produced layer is compared with the tree BuildKit produced (or, for `documented` cases,
// the tree the Dockerfile reference describes).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openContext } from '../../src/context/index.js';
import { copyToLayer, CopyError, type CopyRequest } from '../../src/copier/index.js';
import { loadCases, materialize, readTree, type CopyCase } from './fixtures.js';

const casesDir = new URL('../../testdata/copy-cases/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'tsbuild-copy-cases-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The part of the busybox base image (../shared/peers/busybox-rootfs.sh) the cases touch. */
const BASE = [
  { path: '/etc', type: 'dir' as const, mode: 0o755 },
  {
    path: '/etc/passwd',
    type: 'file' as const,
    content: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000:app:/home/app:/bin/sh\n',
  },
  { path: '/etc/group', type: 'file' as const, content: 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\n' },
  { path: '/tmp', type: 'dir' as const, mode: 0o1777 },
];

async function run(c: CopyCase): Promise<string> {
  const dir = join(work, c.name);
  await materialize(join(dir, 'ctx'), c.context);
  await materialize(join(dir, 'parent'), [...BASE, ...c.parent]);
  const out = join(dir, 'out');
  await materialize(out, []);
  const req: CopyRequest = {
    sources: c.op.sources,
    heredocSources: c.op.heredocs,
    dest: c.op.dest,
    workdir: c.op.workdir ?? '/',
    from: { kind: 'context', context: await openContext({ dir: join(dir, 'ctx') }) },
    parentRoot: join(dir, 'parent'),
    chown: c.op.chown,
    chmod: c.op.chmod,
    link: c.op.link ?? false,
    exclude: c.op.exclude ?? [],
    parents: c.op.parents ?? false,
    add: c.op.instruction === 'ADD' ? { unpack: c.op.unpack } : undefined,
    outDir: out,
  };
  await copyToLayer(req);
  return out;
}

describe('COPY/ADD cases', () => {
  for (const c of loadCases(casesDir)) {
    it(`${c.name} (${c.source}): ${c.description}`, async () => {
      if (c.expectedError !== undefined) {
        const err = await run(c).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(CopyError);
        expect((err as CopyError).exitCode).toBe(c.expectedError.exitCode);
        expect((err as CopyError).message).toContain(c.expectedError.mentions);
        return;
      }
      const out = await run(c);
      expect(readTree(out)).toEqual(c.expected);
    });
  }
});
