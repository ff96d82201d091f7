import { constants } from 'node:fs';
import { chmod, chown, copyFile, lstat, mkdir, stat, utimes } from 'node:fs/promises';
import { native } from '../native.js';
import { join, posix, resolve } from 'node:path';
import { escapeOverlayPath, type InitMount } from './init-spec.js';
import { SandboxError } from './sandbox-error.js';
import { startSshProxy } from './ssh-proxy.js';
import type { ResolvedMount } from './types.js';
import { assertNever } from '../errors.js';

export interface PreparedMounts {
  mounts: InitMount[];
  /** `NAME=value` for secrets exposed as env vars. */
  env: string[];
  /** Stops what runs on the host for the step's mounts (SSH proxies). */
  close(): Promise<void>;
}

/**
 * Turns the solver's mounts into what tsbuild-init mounts, doing the host side: throwaway
 * layers for writable binds, SSH proxies. `scratch` is a per-step directory removed afterwards.
 * Mounts are ordered parents first, as Docker does, so `/a/b` lands inside `/a`.
 */
export async function prepareMounts(resolved: ResolvedMount[], cwd: string, scratch: string): Promise<PreparedMounts> {
  const mounts: InitMount[] = [];
  const env: string[] = [];
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(closers.map((c) => c()));
  };
  try {
    for (const [index, m] of resolved.entries()) {
      const dir = join(scratch, `mount-${index}`);
      switch (m.type) {
        case 'bind':
          mounts.push(await prepareBind(resolve(m.source), target(m.target, cwd), m.readonly, m.hidden ?? [], dir));
          break;
        case 'cache':
          mounts.push({ kind: 'bind', source: resolve(m.source), target: target(m.target, cwd), readonly: m.readonly });
          break;
        case 'tmpfs':
          mounts.push({ kind: 'tmpfs', target: target(m.target, cwd), size: m.size });
          break;
        case 'secret':
          if (m.target !== undefined) {
            mounts.push({ kind: 'secret', target: target(m.target, cwd), content: m.content, mode: m.mode, uid: m.uid, gid: m.gid });
          }
          if (m.env !== undefined) env.push(`${m.env}=${m.content.toString('utf8')}`);
          break;
        case 'ssh': {
          await mkdir(dir);
          const path = join(dir, 'agent.sock');
          const proxy = await startSshProxy({ upstream: resolve(m.socket), path, mode: m.mode, uid: m.uid, gid: m.gid });
          closers.push(() => proxy.close());
          mounts.push({ kind: 'bind', source: path, target: target(m.target, cwd), readonly: false });
          break;
        }
        default:
          assertNever(m, 'mount type');
      }
    }
  } catch (err) {
    await close();
    throw err;
  }
  const depth = (m: InitMount): number => m.target.split('/').length;
  mounts.sort((a, b) => depth(a) - depth(b));
  return { mounts, env, close };
}

function target(path: string, cwd: string): string {
  const resolved = posix.resolve(cwd, path);
  if (resolved === '/') throw new SandboxError(`cannot mount over the root directory (target ${JSON.stringify(path)})`);
  return resolved;
}

/**
 * A read-write bind must not change its source: a directory gets an overlay, a file a copy.
 * Hidden paths are whited out in a lower dir stacked over the source.
 */
async function prepareBind(source: string, target: string, readonly: boolean, hidden: string[], dir: string): Promise<InitMount> {
  if (readonly && hidden.length === 0) return { kind: 'bind', source, target, readonly };
  const info = await stat(source).catch((err: unknown) => {
    throw new SandboxError(`bind mount source ${source} is not accessible`, { cause: err });
  });
  await mkdir(dir);
  if (!info.isDirectory()) {
    if (readonly) return { kind: 'bind', source, target, readonly };
    const copy = join(dir, 'file');
    await copyFile(source, copy);
    return { kind: 'bind', source: copy, target, readonly: false };
  }
  const lowers = hidden.length > 0 ? [await whiteoutLayer(source, hidden, join(dir, 'hidden')), source] : [source];
  const lowerdir = lowers.map(escapeOverlayPath).join(':');
  if (readonly) return { kind: 'overlay', lowerdir, target };
  const upperdir = join(dir, 'upper');
  const workdir = join(dir, 'work');
  await Promise.all([mkdir(upperdir), mkdir(workdir)]);
  return {
    kind: 'overlay',
    lowerdir,
    upper: { upperdir: escapeOverlayPath(upperdir), workdir: escapeOverlayPath(workdir) },
    target,
  };
}

/**
 * A layer of overlay whiteouts (char devices 0/0) for `hidden` paths under `source`. Its
 * directories take their source directory's mode, owner and times: in the merged view a
 * directory shows the topmost layer's.
 */
async function whiteoutLayer(source: string, hidden: string[], layer: string): Promise<string> {
  const made = new Set<string>();
  const makeDir = async (rel: string): Promise<void> => {
    if (made.has(rel)) return;
    if (rel !== '.') await makeDir(posix.dirname(rel));
    const path = join(layer, rel);
    const st = await lstat(join(source, rel));
    await mkdir(path);
    await chown(path, st.uid, st.gid);
    await chmod(path, st.mode & 0o7777);
    made.add(rel);
  };
  for (const rel of hidden) {
    await makeDir(posix.dirname(rel));
    native.mknod(join(layer, rel), constants.S_IFCHR, 0, 0);
  }
  // Times last: making entries changes a directory's mtime.
  for (const rel of made) {
    const st = await lstat(join(source, rel));
    await utimes(join(layer, rel), st.atime, st.mtime);
  }
  return layer;
}
