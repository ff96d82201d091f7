// What a non-root user needs before tsbuild can re-execute itself in a user namespace. Each
// missing piece is one line naming it and the command that fixes it.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { release, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { subordinateRange, type SubordinateRange } from './subids.js';

/** Built by node-gyp from native/userns/tsbuild-userns.c; the same path from src/ and dist/. */
export const USERNS_HELPER = fileURLToPath(new URL('../../build/Release/tsbuild-userns', import.meta.url));

/** overlayfs accepts mounts by a user namespace's root from this release on. */
const OVERLAY_IN_USERNS = [5, 11] as const;

export interface RootlessSetup {
  user: string;
  uid: number;
  gid: number;
  subuid: SubordinateRange;
  subgid: SubordinateRange;
  newuidmap: string;
  newgidmap: string;
}

export interface RootlessCheck {
  setup?: RootlessSetup;
  /** One sentence per missing piece, each with its fix; empty when `setup` is complete. */
  problems: string[];
}

/** Checks this machine and account for rootless use, without changing anything. */
export function checkRootless(files = { subuid: '/etc/subuid', subgid: '/etc/subgid' }): RootlessCheck {
  const { username: user, uid, gid } = userInfo();
  const problems: string[] = [];
  const disabled = userNamespacesDisabled();
  if (disabled) problems.push(disabled);
  const kernel = release();
  const [major = 0, minor = 0] = kernel.split(/[.-]/).map(Number);
  if (major < OVERLAY_IN_USERNS[0] || (major === OVERLAY_IN_USERNS[0] && minor < OVERLAY_IN_USERNS[1])) {
    problems.push(`overlayfs refuses mounts in a user namespace on Linux ${kernel}: rootless builds need Linux 5.11 or later`);
  }
  const newuidmap = findProgram('newuidmap');
  const newgidmap = findProgram('newgidmap');
  if (!newuidmap || !newgidmap) {
    problems.push(`${newuidmap ? 'newgidmap' : 'newuidmap'} is not installed: as root, run apt-get install uidmap`);
  }
  const subuid = subordinateRange(files.subuid, user, uid);
  if (!subuid) {
    problems.push(`user ${user} has no subordinate uids in ${files.subuid}: as root, run usermod --add-subuids 100000-165535 ${user}`);
  }
  const subgid = subordinateRange(files.subgid, user, uid);
  if (!subgid) {
    problems.push(`user ${user} has no subordinate gids in ${files.subgid}: as root, run usermod --add-subgids 100000-165535 ${user}`);
  }
  if (!existsSync(USERNS_HELPER)) problems.push(`${USERNS_HELPER} is missing: build it with npx node-gyp rebuild`);
  if (problems.length > 0 || !subuid || !subgid || !newuidmap || !newgidmap) return { problems };
  return { setup: { user, uid, gid, subuid, subgid, newuidmap, newgidmap }, problems };
}

function readSysctl(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function userNamespacesDisabled(): string | undefined {
  if (readSysctl('/proc/sys/user/max_user_namespaces') === '0') {
    return 'user namespaces are disabled (user.max_user_namespaces = 0): as root, run sysctl -w user.max_user_namespaces=28633';
  }
  // Debian's and Ubuntu's switch for unprivileged user namespaces.
  if (readSysctl('/proc/sys/kernel/unprivileged_userns_clone') === '0') {
    return 'user namespaces are disabled for unprivileged users (kernel.unprivileged_userns_clone = 0): as root, run sysctl -w kernel.unprivileged_userns_clone=1';
  }
  if (readSysctl('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === '1') {
    return 'AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1): as root, run sysctl -w kernel.apparmor_restrict_unprivileged_userns=0';
  }
  return undefined;
}

function findProgram(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/sbin', '/bin', '/sbin'];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}
