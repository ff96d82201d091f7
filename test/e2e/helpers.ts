// Shared setup of the end-to-end suites: a temp store with the busybox base image and a
// copy of a testdata context the test may edit, plus runners for the built CLI and images.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { importRootfs } from '../../src/transfer/import-rootfs.js';
import { openStore } from '../../src/store/index.js';
import { busyboxRootfsDir } from '../helpers/busybox-rootfs.js';

export const repo = resolve(new URL('../..', import.meta.url).pathname);
const cli = join(repo, 'bin/tsbuild');

export interface E2eEnv {
  root: string;
  /** A private copy of the testdata context. */
  context: string;
  work: string;
  dispose(): void;
}

/** A fresh store holding busybox:latest, and a copy of `testdata/<name>`. */
export async function e2eEnv(name: string): Promise<E2eEnv> {
  const base = mkdtempSync(join(tmpdir(), 'tsbuild-e2e-'));
  const root = join(base, 'root');
  const work = join(base, 'work');
  const context = join(base, 'context');
  mkdirSync(work);
  cpSync(join(repo, 'testdata', name), context, { recursive: true });
  const store = openStore(root);
  try {
    const rootfs = busyboxRootfsDir(join(base, 'rootfs'));
    await importRootfs(store, { source: rootfs, tags: ['busybox:latest'], created: new Date(0) });
  } finally {
    store.close();
  }
  return { root, context, work, dispose: () => rmSync(base, { recursive: true, force: true }) };
}

/** Runs the built CLI (`npm test` builds dist first). */
export function tsbuild(args: string[], opts: { root: string; input?: string }): { status: number; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, [cli, ...args], {
    env: { ...process.env, TSBUILD_ROOT: opts.root },
    encoding: 'utf8',
    input: opts.input ?? '',
  });
  return { status: out.status ?? -1, stdout: out.stdout, stderr: out.stderr };
}

export function skopeo(args: string[]): string {
  return execFileSync('skopeo', args, { encoding: 'utf8' });
}
