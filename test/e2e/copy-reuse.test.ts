import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../src/api.js';
import { openStore } from '../../src/store/index.js';
import { e2eEnv, type E2eEnv } from './helpers.js';

let edited: E2eEnv;
let fresh: E2eEnv;
beforeAll(async () => {
  [edited, fresh] = await Promise.all([e2eEnv('mounts'), e2eEnv('mounts')]);
  writeFileSync(join(edited.context, 'Dockerfile'), 'FROM busybox:latest\nCOPY . /app\n');
  for (let i = 0; i < 20; i++) writeFileSync(join(edited.context, `f${i}.txt`), `file ${i}\n`);
});
afterAll(() => {
  edited?.dispose();
  fresh?.dispose();
});

function copiedLayer(root: string): { dir: string } {
  const store = openStore(root);
  try {
    const image = store.resolveImage('reuse:1')!;
    return { dir: store.snapshotDir(image.chainIds.at(-1)!) };
  } finally {
    store.close();
  }
}

/** Name, mode, owner, size, mtime (ns) and content digest of every file under `dir`. */
function filesOf(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const st = lstatSync(join(dir, name), { bigint: true });
    if (st.isDirectory()) continue;
    const digest = createHash('sha256')
      .update(readFileSync(join(dir, name)))
      .digest('hex');
    out.push(`${name} ${st.mode} ${st.uid}:${st.gid} ${st.size} ${st.mtimeNs} ${digest}`);
  }
  return out.sort();
}

describe('a COPY rerun after an edit', () => {
  it('shares the unchanged files with the previous snapshot and gives the same files as a fresh store', async () => {
    await build({ context: edited.context, root: edited.root, tags: ['reuse:1'] });
    appendFileSync(join(edited.context, 'f3.txt'), 'edited\n');
    // The same tree, mtimes included, for a store that has never seen it.
    execFileSync('cp', ['-a', `${edited.context}/.`, fresh.context]);
    const rerun = await build({ context: edited.context, root: edited.root, tags: ['reuse:1'] });
    expect(rerun.steps.filter((s) => !s.cached).map((s) => s.name)).toEqual(['[2/2] COPY . /app']);
    await build({ context: fresh.context, root: fresh.root, tags: ['reuse:1'] });

    const layer = copiedLayer(edited.root);
    expect(lstatSync(join(layer.dir, 'app/f7.txt')).nlink).toBe(2);
    expect(lstatSync(join(layer.dir, 'app/f3.txt')).nlink).toBe(1);
    // Reuse is invisible in the result: every file is what copying it afresh gives.
    if (process.env.KEEP) console.log('DIRS', layer.dir, copiedLayer(fresh.root).dir);
    expect(filesOf(layer.dir)).toEqual(filesOf(copiedLayer(fresh.root).dir));
  });
});
