// What a non-root user needs before tsbuild can re-execute itself in a user namespace. Each
// missing piece is one line naming it and the command that fixes it.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { release, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { packagePath } from '../package-root.js';
import { subordinateRange, type SubordinateRange } from './subids.js';

/** Built by node-gyp from native/userns/tsbuild-userns.c. */
export const USERNS_HELPER = packagePath('build/Release/tsbuild-userns');

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

export interface RootlessCheckInputs {
  subuid: string;
  subgid: string;
  /** Where newuidmap and newgidmap are looked for. */
  programDirs: string[];
  /** The sysctl tree (`/proc/sys`). */
  sysctl: string;
}

const DEFAULT_INPUTS = (): RootlessCheckInputs => ({
  subuid: '/etc/subuid',
  subgid: '/etc/subgid',
  programDirs: [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/sbin', '/bin', '/sbin'],
  sysctl: '/proc/sys',
});

/** Checks this machine and account for rootless use, without changing anything. */
export function checkRootless(inputs: Partial<RootlessCheckInputs> = {}): RootlessCheck {
  const files = { ...DEFAULT_INPUTS(), ...inputs };
  const uid = process.getuid?.() ?? -1;
  const gid = process.getgid?.() ?? -1;
  const user = userName(uid);
  const problems: string[] = [];
  const disabled = userNamespacesDisabled(files.sysctl);
  if (disabled) problems.push(disabled);
  const kernel = release();
  const [major = 0, minor = 0] = kernel.split(/[.-]/).map(Number);
  if (major < OVERLAY_IN_USERNS[0] || (major === OVERLAY_IN_USERNS[0] && minor < OVERLAY_IN_USERNS[1])) {
    problems.push(`overlayfs refuses mounts in a user namespace on Linux ${kernel}: rootless builds need Linux 5.11 or later`);
  }
  const newuidmap = findProgram('newuidmap', files.programDirs);
  const newgidmap = findProgram('newgidmap', files.programDirs);
  if (!newuidmap || !newgidmap) {
    problems.push(`${newuidmap ? 'newgidmap' : 'newuidmap'} is not installed: as root, run apt-get install uidmap`);
  }
  const subuid = subordinateRange(files.subuid, user, uid);
  const subgid = subordinateRange(files.subgid, user, uid);
  if (!subuid || !subgid) {
    const range = freeRange([files.subuid, files.subgid]);
    const missing = [!subuid && files.subuid, !subgid && files.subgid].filter(Boolean).join(' and ');
    const fix = [!subuid && `--add-subuids ${range}`, !subgid && `--add-subgids ${range}`].filter(Boolean).join(' ');
    problems.push(`user ${user} has no subordinate ids in ${missing}: as root, run usermod ${fix} ${user}`);
  }
  if (!existsSync(USERNS_HELPER)) problems.push(`${USERNS_HELPER} is missing: build it with npx node-gyp rebuild`);
  if (problems.length > 0 || !subuid || !subgid || !newuidmap || !newgidmap) return { problems };
  return { setup: { user, uid, gid, subuid, subgid, newuidmap, newgidmap }, problems };
}

/** The first block of 65536 ids from 100000 on that no entry of the files uses yet. */
export function freeRange(files: string[]): string {
  const used: [number, number][] = [];
  for (const file of files) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // no such file: nothing used
    }
    for (const line of text.split('\n')) {
      const [, start, count] = line.split(':').map(Number);
      if (Number.isSafeInteger(start) && Number.isSafeInteger(count)) used.push([start!, start! + count!]);
    }
  }
  let start = 100_000;
  const size = 65_536;
  for (let moved = true; moved;) {
    moved = false;
    for (const [from, to] of used) {
      if (start < to && from < start + size) {
        start = to;
        moved = true;
      }
    }
  }
  return `${start}-${start + size - 1}`;
}

/** The account's name, or its number when it has no passwd entry (a container's random uid). */
function userName(uid: number): string {
  try {
    return userInfo().username;
  } catch {
    return String(uid);
  }
}

function readSysctl(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function userNamespacesDisabled(sysctl: string): string | undefined {
  if (readSysctl(join(sysctl, 'user/max_user_namespaces')) === '0') {
    return 'user namespaces are disabled (user.max_user_namespaces = 0): as root, run sysctl -w user.max_user_namespaces=28633';
  }
  // Debian's and Ubuntu's switch for unprivileged user namespaces.
  if (readSysctl(join(sysctl, 'kernel/unprivileged_userns_clone')) === '0') {
    return 'user namespaces are disabled for unprivileged users (kernel.unprivileged_userns_clone = 0): as root, run sysctl -w kernel.unprivileged_userns_clone=1';
  }
  if (readSysctl(join(sysctl, 'kernel/apparmor_restrict_unprivileged_userns')) === '1') {
    return 'AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1): as root, run sysctl -w kernel.apparmor_restrict_unprivileged_userns=0';
  }
  return undefined;
}

function findProgram(name: string, dirs: string[]): string | undefined {
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
