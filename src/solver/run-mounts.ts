import { chmod, chown, cp, readdir, readFile } from 'node:fs/promises';
import { EscapeError, resolveInRoot } from '../copier/index.js';
import { join, posix, relative, sep } from 'node:path';
import { excludedUnder } from '../context/index.js';
import type { ResolvedMount } from '../executor/index.js';
import type { StageBase, StepMount } from '../frontend/index.js';
import { BuildStepError } from './errors.js';
import type { RunContext } from './step-context.js';
import { assertNever } from '../errors.js';

/** Turns a RUN step's `--mount` flags into host paths the sandbox can mount. */
export async function resolveRunMounts(ctx: RunContext, mounts: StepMount[], fail: (message: string) => BuildStepError): Promise<ResolvedMount[]> {
  const resolved: ResolvedMount[] = [];
  for (const m of mounts) {
    switch (m.type) {
      case 'bind': {
        const source = await sourceInside(ctx, m.fromBase, m.source ?? '/', fail);
        const hidden = m.fromBase ? [] : await hiddenInContext(ctx, source);
        resolved.push({ type: 'bind', source, target: m.target, readonly: m.readonly, ...(hidden.length > 0 ? { hidden } : {}) });
        break;
      }
      case 'cache': {
        const seed = m.fromBase ? await sourceInside(ctx, m.fromBase, m.source ?? '/', fail) : null;
        const dir = await prepareCacheDir(ctx.store.cacheMountDir(m.id), m, seed);
        resolved.push({ type: 'cache', source: dir, target: m.target, readonly: m.readonly });
        break;
      }
      case 'tmpfs':
        resolved.push(m.size === undefined ? { type: 'tmpfs', target: m.target } : { type: 'tmpfs', target: m.target, size: m.size });
        break;
      case 'secret': {
        const id = m.id;
        const content = await readSecret(ctx, id);
        if (content === null) {
          if (m.required) throw fail(`secret "${id}" is required but was not given; pass --secret id=${id},src=FILE`);
          continue;
        }
        const target = m.env && !m.target ? undefined : (m.target ?? `/run/secrets/${id}`);
        resolved.push({ type: 'secret', content, mode: m.mode, uid: m.uid, gid: m.gid, ...(target ? { target } : {}), ...(m.env ? { env: m.env } : {}) });
        break;
      }
      case 'ssh': {
        const id = m.id;
        const source = ctx.options.ssh.find((s) => s.id === id);
        // Only an agent the user forwarded with --ssh, never one found in the environment.
        const socket = source?.paths[0];
        if (!socket) {
          if (m.required) throw fail(`ssh agent "${id}" is required but was not given; pass --ssh ${id}=SOCKET`);
          continue;
        }
        resolved.push({ type: 'ssh', socket, target: m.target, mode: m.mode, uid: m.uid, gid: m.gid });
        break;
      }
      default:
        assertNever(m, 'mount type');
    }
  }
  return resolved;
}

/**
 * A new (empty) cache mount takes the mount's mode and owner, and the content of `from`/`source`
 * when given; an existing one keeps what earlier steps left in it.
 */
async function prepareCacheDir(dir: string, m: { mode: number; uid: number; gid: number }, seed: string | null): Promise<string> {
  if ((await readdir(dir)).length === 0) {
    if (seed) await cp(seed, dir, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
    await chmod(dir, m.mode);
    await chown(dir, m.uid, m.gid);
  }
  return dir;
}

/**
 * The host path of `source` inside the context or a stage's root. Symlinks are resolved inside
 * that root, never on the host: a context link that leads out is an error, a stage's absolute
 * link starts at the stage's root, as it would inside the sandbox.
 */
async function sourceInside(ctx: RunContext, from: StageBase | undefined, source: string, fail: (message: string) => BuildStepError): Promise<string> {
  const root = from ? await ctx.rootfs(from) : ctx.context.root;
  try {
    const rel = await resolveInRoot(root, posix.normalize(`/${source}`), { confined: !from, followFinal: true });
    return join(root, rel);
  } catch (err) {
    if (err instanceof EscapeError) throw fail(`mount source ${source} leads outside the build context through a symlink`);
    throw err;
  }
}

/** What .dockerignore excluded under a context directory `source`: the step does not see it (BuildKit sends none of it). */
async function hiddenInContext(ctx: RunContext, source: string): Promise<string[]> {
  const rel = relative(ctx.context.root, source).split(sep).join('/') || '.';
  const entry = await ctx.context.entry(rel);
  return entry?.type === 'dir' ? excludedUnder(ctx.context, rel) : [];
}

async function readSecret(ctx: RunContext, id: string): Promise<Buffer | null> {
  const secret = ctx.options.secrets.find((s) => s.id === id);
  if (!secret) return null;
  if (secret.src) return readFile(secret.src);
  const value = secret.env ? process.env[secret.env] : undefined;
  return value === undefined ? null : Buffer.from(value);
}
