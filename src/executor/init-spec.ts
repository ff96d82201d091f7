import { SandboxError } from './sandbox-error.js';
import { assertNever } from '../errors.js';

/** A mount as tsbuild-init performs it, after the host-side preparation in prepare-mounts.ts. */
export type InitMount =
  | { kind: 'bind'; source: string; target: string; readonly: boolean }
  /**
   * A view of host directories stacked as lower dirs; writable when it has an upper dir (a
   * throwaway one), else read-only (then lowerdir names at least two).
   */
  | { kind: 'overlay'; lowerdir: string; upper?: { upperdir: string; workdir: string }; target: string }
  | { kind: 'tmpfs'; target: string; size?: number }
  | { kind: 'secret'; target: string; content: Buffer; mode: number; uid: number; gid: number };

/** Everything native/init/tsbuild-init.c reads from its fd 3. */
export interface InitSpec {
  /** Host directory the root overlay is mounted on (only inside the sandbox's mount namespace). */
  root: string;
  mountCwd?: string;
  /** The root overlay's mount options. */
  overlayOptions: string;
  upperdir: string;
  /** Host directory for the tmpfs that holds secrets until they are bound in. */
  staging: string;
  hostname: string;
  hostNetwork: boolean;
  /** Wait on fd 5 before the command starts, for the network the parent attaches. */
  netSync: boolean;
  insecure: boolean;
  /**
   * Bind the host's device nodes into /dev instead of making fresh ones with mknod: only for a
   * sandbox in a user namespace (rootless), where mknod is refused and the bound host inodes
   * cannot be changed. As root the host's nodes are never bound (a step could chmod them).
   */
  bindHostDevices?: boolean;
  /** Set when tsbuild runs rootless, as root of a user namespace: the init mounts accordingly. */
  userns?: boolean;
  args: string[];
  env: string[];
  cwd: string;
  user: string;
  /** `cgroup.procs` files the sandbox joins before anything runs. */
  cgroupProcs: string[];
  mounts: InitMount[];
}

/**
 * Encodes the spec as records `<key> <length>\n<bytes>\n`: lengths, not separators, so
 * argv, env and secret bytes need no escaping. Multi-field mounts join fields with NUL.
 */
export function encodeInitSpec(spec: InitSpec): Buffer {
  const parts: Buffer[] = [];
  const add = (key: string, ...fields: (string | Buffer)[]): void => {
    const value = Buffer.concat(fields.flatMap((f, i) => [i ? Buffer.from([0]) : Buffer.alloc(0), asBytes(f)]));
    parts.push(Buffer.from(`${key} ${value.length}\n`), value, Buffer.from('\n'));
  };
  const text = (what: string, value: string): string => {
    if (value.includes('\0')) throw new SandboxError(`${what} contains a NUL byte`);
    return value;
  };
  add('root', spec.root);
  if (spec.mountCwd !== undefined) add('mountcwd', spec.mountCwd);
  add('overlay', spec.overlayOptions);
  add('upper', spec.upperdir);
  add('staging', spec.staging);
  add('hostname', text('hostname', spec.hostname));
  if (spec.hostNetwork) add('hostnet', '1');
  if (spec.netSync) add('netsync', '1');
  if (spec.insecure) add('insecure', '1');
  if (spec.bindHostDevices) add('devbind', '1');
  if (spec.userns) add('userns', '1');
  for (const arg of spec.args) add('arg', text('argument', arg));
  for (const env of spec.env) add('env', text('environment variable', env));
  add('cwd', text('working directory', spec.cwd));
  add('user', text('user', spec.user));
  for (const procs of spec.cgroupProcs) add('cgroup', procs);
  for (const m of spec.mounts) {
    const target = text('mount target', m.target);
    switch (m.kind) {
      case 'bind':
        add('b', m.readonly ? 'ro' : 'rw', m.source, target);
        break;
      case 'overlay':
        add('o', m.lowerdir, m.upper?.upperdir ?? '', m.upper?.workdir ?? '', target);
        break;
      case 'tmpfs':
        add('t', m.size === undefined ? '' : String(m.size), target);
        break;
      case 'secret':
        // The content goes last: the C side takes the rest of the record, NULs and all.
        add('s', m.mode.toString(8), String(m.uid), String(m.gid), target, m.content);
        break;
      default:
        assertNever(m, 'mount kind');
    }
  }
  return Buffer.concat(parts);
}

function asBytes(value: string | Buffer): Buffer {
  return typeof value === 'string' ? Buffer.from(value) : value;
}

/**
 * Escapes a path for overlayfs's lowerdir/upperdir/workdir option values, where `,` separates
 * options, `:` separates layers and `\` escapes either.
 */
export function escapeOverlayPath(path: string): string {
  return path.replace(/[\\,:]/g, (c) => `\\${c}`);
}
