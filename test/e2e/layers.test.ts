import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnv, tsbuild, type E2eEnv } from './helpers.js';

let built: E2eEnv;
let loaded: E2eEnv;
beforeAll(async () => {
  [built, loaded] = await Promise.all([e2eEnv('churn'), e2eEnv('churn')]);
});
afterAll(() => {
  built?.dispose();
  loaded?.dispose();
});

describe('layers of a RUN-heavy build', () => {
  it('unpack, after a save and a load into another store, to exactly the tree each step left', () => {
    const build = tsbuild(['build', '-q', '-t', 'churn:1', built.context], { root: built.root });
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const archive = join(built.work, 'churn.tar');
    expect(tsbuild(['save', '-o', archive, 'churn:1'], { root: built.root }).status).toBe(0);
    // The second store knows the image only through its layer tars.
    const load = tsbuild(['load', '-i', archive], { root: loaded.root });
    expect(load.stderr).not.toMatch(/error/i);
    expect(load.status).toBe(0);

    const inBuild = tsbuild(['run', 'churn:1', 'cat', '/listing.txt'], { root: built.root }).stdout;
    const afterLoad = tsbuild(['run', 'churn:1'], { root: loaded.root });
    expect(afterLoad.status).toBe(0);
    expect(afterLoad.stdout).toBe(inBuild);
    // The listing is real: deletions, the opaque replacement, modes, owners, links and times are in it.
    expect(inBuild).not.toContain('/data/gone');
    expect(inBuild).not.toContain('/data/replace/old');
    expect(inBuild).not.toContain('/usr/share/doc/pkg/README');
    expect(inBuild).toContain('/data/replace/new -rw-r--r-- 0:0 4 1');
    expect(inBuild).toMatch(/\/data\/keep\/a -rw------- 0:0 12 2 1700000000 /);
    // Changing one name of a lower-layer hardlink copies it up alone (overlayfs, as Docker's overlay2).
    expect(inBuild).toMatch(/\/data\/keep\/b -rwsr-xr-x 0:0 4 1 /);
    expect(inBuild).toMatch(/\/data\/keep\/b-hard -rw-r--r-- 1000:1000 4 1 /);
    expect(inBuild).toMatch(/\/data\/private\/a-hard -rw------- 0:0 12 2 1700000000 /);
    expect(inBuild).toContain('/data/link lrwxrwxrwx 0:0 9 1');
    expect(inBuild).toContain("'/data/dangling' -> '/nonexistent'");
    expect(inBuild).toMatch(/\/data\/fifo prw-r--r-- 0:0 0 1 /);
    expect(inBuild).toMatch(/\/data\/private drwxr-x--- 0:0 /);
  });

  it('gives the same image ID when loaded into another store', () => {
    const inspect = (root: string): string => (JSON.parse(tsbuild(['inspect', 'churn:1'], { root }).stdout) as [{ Id: string }])[0].Id;
    expect(inspect(loaded.root)).toBe(inspect(built.root));
  });
});
