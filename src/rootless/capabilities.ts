// What the current user can use, for `tsbuild info`: each probe is tried for real (an overlay
// mount in the namespace a step would get), never guessed from versions alone.
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkRootless, USERNS_HELPER, type RootlessSetup } from './prerequisites.js';

const run = promisify(execFile);

export interface Capabilities {
  mode: 'root' | 'rootless';
  /** Why rootless mode cannot work here, one fix per line; empty when it can (or for root). */
  problems: string[];
  setup?: RootlessSetup;
  overlay: { ok: boolean; detail: string };
  cgroups: { ok: boolean; detail: string };
  networks: string[];
  emulators: { name: string; enabled: boolean; interpreter: string }[];
}

export async function probeCapabilities(): Promise<Capabilities> {
  const root = process.getuid?.() === 0;
  const check = root ? { problems: [] } : checkRootless();
  return {
    mode: root ? 'root' : 'rootless',
    problems: check.problems,
    ...(check.setup !== undefined && { setup: check.setup }),
    overlay: await probeOverlay(root, check.setup),
    cgroups: probeCgroups(root),
    networks: ['none', 'host', 'default'],
    emulators: binfmtEmulators(),
  };
}

/** Mounts an overlay with the options a step uses, in a mount namespace of its own. */
async function probeOverlay(root: boolean, setup: RootlessSetup | undefined): Promise<{ ok: boolean; detail: string }> {
  if (!root && !setup) return { ok: false, detail: 'not tried: rootless mode is not set up (see above)' };
  const dir = mkdtempSync(join(tmpdir(), 'tsbuild-probe-'));
  try {
    const options = root ? 'index=off,redirect_dir=off,metacopy=off' : 'userxattr';
    const script = `mkdir l u w m && mount -t overlay overlay -o lowerdir=l,upperdir=u,workdir=w,${options} m`;
    const prefix = root
      ? ['unshare', '--mount', '--propagation', 'private']
      : [USERNS_HELPER, ...[setup!.uid, setup!.subuid.start, setup!.subuid.count, setup!.gid, setup!.subgid.start, setup!.subgid.count].map(String), '--'];
    await run(prefix[0]!, [...prefix.slice(1), 'sh', '-c', script], { cwd: dir });
    return { ok: true, detail: root ? 'overlayfs (trusted.overlay xattrs)' : 'overlayfs in a user namespace (userxattr)' };
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim() ?? (err as Error).message;
    return { ok: false, detail: `mounting an overlay failed: ${stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Limits need a cgroup tsbuild may write: root's, or a cgroup v2 subtree delegated to the user. */
function probeCgroups(root: boolean): { ok: boolean; detail: string } {
  const base = '/sys/fs/cgroup';
  const v2 = existsSync(join(base, 'cgroup.controllers'));
  if (root) return { ok: true, detail: v2 ? 'cgroup v2' : 'cgroup v1 (memory, cpu, cpuset)' };
  if (v2) {
    const own = /^0::(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '/';
    try {
      accessSync(join(base, own, 'cgroup.subtree_control'), constants.W_OK);
      return { ok: true, detail: `cgroup v2, delegated subtree ${own}` };
    } catch {
      // not delegated
    }
  }
  return { ok: false, detail: `no delegated cgroup v2 subtree (${v2 ? 'v2' : 'v1'}): --memory, --cpu-quota, --cpu-period and --cpuset-cpus are ignored` };
}

/** binfmt_misc entries: the foreign architectures RUN steps can execute. */
function binfmtEmulators(): Capabilities['emulators'] {
  const dir = '/proc/sys/fs/binfmt_misc';
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n !== 'register' && n !== 'status');
  } catch {
    return [];
  }
  return names.sort().map((name) => {
    const text = readFileSync(join(dir, name), 'utf8');
    return { name, enabled: /^enabled$/m.test(text), interpreter: /^interpreter (.*)$/m.exec(text)?.[1] ?? '' };
  });
}
