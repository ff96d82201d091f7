// Leftovers that a killed build leaves outside the store's rows: overlay views still mounted
// under the store (the kernel keeps them after their process dies, and a mounted dir cannot
// be removed, so every later fsck and prune failed with EBUSY), step scratch dirs in $TMPDIR
// and empty step cgroups. Each is named after its owning process (pid and start time), so
// only leftovers of dead processes are touched; mounts are found in /proc/self/mountinfo,
// wherever under the store they are.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownerIsAlive } from '../fs/index.js';

/** Every mount point of this mount namespace; mountinfo escapes space, tab, newline and `\`. */
export function mountPoints(): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ')[4]!.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8))));
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Mount points strictly below `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  const prefix = realOrSelf(dir).replace(/\/$/, '') + '/';
  return mountPoints()
    .filter((m) => m.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

function unmount(target: string): boolean {
  try {
    execFileSync('umount', ['-l', target], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `<pid>-<start>-…` names of processes that are gone. */
function deadOwner(name: string): boolean {
  return /^\d+-\d+-/.test(name) && !ownerIsAlive(name);
}

/**
 * Unmounts what killed processes left mounted under the store `root`: anything under
 * `trash/`, and anything under a directory named after a dead process. Returns what it
 * unmounted, relative to the root.
 */
export function unmountStale(root: string): string[] {
  const base = realOrSelf(root).replace(/\/$/, '');
  const done: string[] = [];
  for (const mount of mountsUnder(base)) {
    const rel = mount.slice(base.length + 1);
    const parts = rel.split('/');
    if ((parts[0] === 'trash' || parts.some(deadOwner)) && unmount(mount)) done.push(rel);
  }
  return done;
}

/** Host scratch dirs of sandboxed steps and `tsbuild run`, named `tsbuild-<kind>-<pid>-<start>-…`. */
const SCRATCH = /^tsbuild-(?:step|run)-(\d+-\d+-.*)$/;

/**
 * Removes $TMPDIR/tsbuild-step-* and tsbuild-run-* dirs of dead processes, after unmounting
 * anything left mounted inside; a dir that still holds a mount is left alone, so nothing is
 * ever deleted through a mount.
 */
export function removeStaleScratch(dir = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const match = SCRATCH.exec(name);
    if (!match || !deadOwner(match[1]!)) continue;
    const path = join(dir, name);
    for (const mount of mountsUnder(path)) unmount(mount);
    if (mountsUnder(path).length > 0) continue;
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

/** Step cgroups are `tsbuild-<pid>-<8 hex>` (see executor/cgroups.ts). */
const STEP_CGROUP = /^tsbuild-(\d+)-[0-9a-f]{8}$/;
const CGROUP_DEPTH = 8;

/**
 * Removes empty step cgroups whose build process is gone (a killed build leaves one per
 * controller). rmdir refuses a cgroup that still has processes, so a live one is never hit.
 */
export function removeStaleCgroups(root = '/sys/fs/cgroup'): string[] {
  const removed: string[] = [];
  const visit = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const path = join(dir, e.name);
      const match = STEP_CGROUP.exec(e.name);
      if (match && !processExists(Number(match[1]))) {
        try {
          rmdirSync(path);
          removed.push(path);
        } catch {
          // still has processes, or not ours to remove
        }
      } else if (depth < CGROUP_DEPTH) visit(path, depth + 1);
    }
  };
  visit(root, 0);
  return removed;
}

function processExists(pid: number): boolean {
  try {
    statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** Everything above for the store at `root`; what was cleaned, for fsck's report. */
export function releaseDeadLeftovers(root: string): string[] {
  return [...unmountStale(root).map((rel) => `mount ${rel}`), ...removeStaleScratch(), ...removeStaleCgroups()];
}
