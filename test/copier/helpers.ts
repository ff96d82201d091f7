// Small builders for copier tests: a context from a file map, and a default CopyRequest.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openContext } from '../../src/context/index.js';
import type { CopyRequest } from '../../src/copier/index.js';

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `tsbuild-${prefix}-`));
}

export function writeTree(root: string, files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** A COPY of `sources` to `dest` from the context at `ctxDir` into a fresh layer dir. */
export async function copyRequest(ctxDir: string, sources: string[], dest: string, extra: Partial<CopyRequest> = {}): Promise<CopyRequest> {
  const outDir = mkdtempSync(join(tmpdir(), 'tsbuild-layer-'));
  return {
    sources,
    dest,
    workdir: '/',
    from: { kind: 'context', context: await openContext({ dir: ctxDir }) },
    parentRoot: null,
    link: false,
    exclude: [],
    parents: false,
    outDir,
    ...extra,
  };
}
