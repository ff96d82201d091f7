// Whether this process runs in a user namespace other than the host's, and what follows from
// that for files on disk. Rootless tsbuild re-executes itself once inside such a namespace
// (see reexec.ts), where it is root of the namespace; the few things a namespace root cannot
// do the same way as the host's root are decided here.
import { readFileSync } from 'node:fs';

/** The initial user namespace maps every id to itself. */
const IDENTITY_MAP = /^\s*0\s+0\s+4294967295\s*$/;

let cached: boolean | undefined;

/** True inside a user namespace (a rootless tsbuild), false as the host's root. */
export function inUserNamespace(): boolean {
  cached ??= !IDENTITY_MAP.test(readFileSync('/proc/self/uid_map', 'utf8'));
  return cached;
}

/**
 * The xattr namespace overlayfs keeps its markers in. `trusted.*` needs the host's
 * CAP_SYS_ADMIN, so overlays mounted in a user namespace use `userxattr`: the opaque marker is
 * then `user.overlay.opaque`. Snapshots of a rootless store are written and read that way.
 */
export function overlayXattrPrefix(): 'trusted.overlay.' | 'user.overlay.' {
  return inUserNamespace() ? 'user.overlay.' : 'trusted.overlay.';
}

/** Both prefixes: bookkeeping of either kind never comes from, or goes into, a layer tar. */
export const OVERLAY_XATTR_PREFIXES = ['trusted.overlay.', 'user.overlay.'] as const;

/** This process's uid and gid maps, normalized: one line per range, `inside outside count`. */
export function idMapping(): string {
  const norm = (file: string): string =>
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).join(' '))
      .join(',');
  return `uid ${norm('/proc/self/uid_map')}; gid ${norm('/proc/self/gid_map')}`;
}
