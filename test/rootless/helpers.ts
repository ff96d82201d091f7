// Real non-root users for the rootless suite, and a copy of the built tsbuild they can read.
// CI runs as root and may have cloned the repo under a directory other users cannot enter,
// so the CLI's runtime files are copied to a world-readable temp dir.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { freeRange } from '../../src/rootless/prerequisites.js';

export const repo = resolve(new URL('../..', import.meta.url).pathname);

/** What the CLI needs at run time: bin, dist, the native binaries and the runtime packages. */
const RUNTIME_PACKAGES = ['better-sqlite3', 'bindings', 'file-uri-to-path', 'p-limit', 'yocto-queue'];

/** A world-readable dir holding a runnable tsbuild (`<dir>/bin/tsbuild`). */
export function copyTsbuild(dir: string): string {
  for (const sub of ['bin', 'dist']) cpSync(join(repo, sub), join(dir, sub), { recursive: true });
  cpSync(join(repo, 'package.json'), join(dir, 'package.json'));
  mkdirSync(join(dir, 'build/Release'), { recursive: true });
  for (const bin of ['tsbuild-init', 'tsbuild-userns', 'tsbuild_native.node', 'tsbuild_sqlite.node']) {
    cpSync(join(repo, 'build/Release', bin), join(dir, 'build/Release', bin));
  }
  for (const pkg of RUNTIME_PACKAGES) {
    cpSync(join(repo, 'node_modules', pkg), join(dir, 'node_modules', pkg), {
      recursive: true,
      // better-sqlite3's SQLite sources are only for compiling it.
      filter: (src) => !/better-sqlite3\/(deps|src)(\/|$)/.test(src),
    });
  }
  execFileSync('chmod', ['-R', 'a+rX', dir]);
  return join(dir, 'bin/tsbuild');
}

export interface TestUser {
  name: string;
  uid: number;
  home: string;
  remove(): void;
}

/**
 * Creates a user with a home; with `subids` it gets a free 65536-id range in /etc/subuid and
 * /etc/subgid, without them none at all (useradd would otherwise add one by itself).
 */
export function createUser(prefix: string, opts: { subids: boolean }): TestUser {
  const name = `${prefix}${randomBytes(3).toString('hex')}`;
  execFileSync('useradd', ['-m', '-s', '/bin/sh', '-K', 'SUB_UID_COUNT=0', '-K', 'SUB_GID_COUNT=0', name]);
  if (opts.subids) {
    const range = freeRange(['/etc/subuid', '/etc/subgid']);
    execFileSync('usermod', ['--add-subuids', range, '--add-subgids', range, name]);
  }
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const home = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).split(':')[5]!;
  return {
    name,
    uid,
    home,
    // userdel -r takes the home (and the store in it, whatever its owners) and the id ranges.
    remove: () => {
      spawnSync('pkill', ['-KILL', '-U', String(uid)]);
      execFileSync('userdel', ['-r', name], { stdio: 'ignore' });
    },
  };
}

/**
 * A node binary `user` may run: this one, or a copy in `dir` when it lives somewhere the user
 * cannot reach (a version manager under /root, say).
 */
export function nodeFor(user: TestUser, dir: string): string {
  if (spawnSync('runuser', ['-u', user.name, '--', process.execPath, '-e', '0']).status === 0) return process.execPath;
  const copy = join(dir, 'node');
  cpSync(process.execPath, copy);
  chmodSync(copy, 0o755);
  return copy;
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a program as `user` with a clean environment plus `env`, in `cwd`. */
export function runAs(user: TestUser, argv: string[], opts: { cwd: string; env?: Record<string, string>; input?: string }): RunResult {
  const env = { HOME: user.home, PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', USER: user.name, ...opts.env };
  const out = spawnSync('runuser', ['-u', user.name, '--', 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv], {
    cwd: opts.cwd,
    encoding: 'utf8',
    input: opts.input ?? '',
  });
  return { status: out.status ?? -1, stdout: out.stdout, stderr: out.stderr };
}

/** A temp dir every user can enter and write (sticky, like /tmp). */
export function sharedTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsbuild-rootless-'));
  chmodSync(dir, 0o1777);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
