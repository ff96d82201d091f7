// An overlay-format snapshot with one of everything a layer can hold, made as root.
import { chmodSync, chownSync, linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { constants } from 'node:fs';
import path from 'node:path';
import { native } from '../../src/native.js';

export const CAPABILITY = Buffer.from('0100000200040000000000000000000000000000', 'hex');

/** Sets mtime to sec + nsec on `p` itself. */
export function touch(p: string, sec: number, nsec = 0): void {
  native.lutimens(p, sec, nsec);
}

export function makeSnapshot(root: string): void {
  const at = (rel: string) => path.join(root, rel);
  mkdirSync(at('bin'));
  writeFileSync(at('bin/ping'), 'ELF');
  chownSync(at('bin/ping'), 0, 300_000);
  chmodSync(at('bin/ping'), 0o4755);
  native.lsetxattr(at('bin/ping'), 'security.capability', CAPABILITY);
  linkSync(at('bin/ping'), at('bin/ping6'));
  linkSync(at('bin/ping'), at('bin/aping'));
  writeFileSync(at('bin/locked'), 'secret');
  chmodSync(at('bin/locked'), 0o000);
  symlinkSync('ping', at('bin/pong'));
  mkdirSync(at('tmp'));
  chmodSync(at('tmp'), 0o1777);
  mkdirSync(at('etc'));
  native.lsetxattr(at('etc'), 'trusted.overlay.opaque', Buffer.from('y'));
  native.lsetxattr(at('etc'), 'trusted.overlay.origin', Buffer.from([0, 1, 2]));
  native.lsetxattr(at('etc'), 'user.note', Buffer.from('kept'));
  writeFileSync(at('etc/hostname'), 'box\n');
  // Deleted paths: overlayfs shares one whiteout inode among many, so link two.
  native.mknod(at('etc/passwd'), constants.S_IFCHR, 0, 0);
  linkSync(at('etc/passwd'), at('etc/shadow'));
  mkdirSync(at('dev'));
  native.mknod(at('dev/null'), constants.S_IFCHR | 0o666, 1, 3);
  native.mknod(at('dev/loop0'), constants.S_IFBLK | 0o660, 7, 0);
  native.mknod(at('dev/fifo'), constants.S_IFIFO | 0o600, 0, 0);
  chmodSync(at('dev/null'), 0o666);
  writeFileSync(at(`${'ü'.repeat(60)}`), 'long name');
  let sec = 1_700_000_000;
  for (const rel of [
    'bin/ping',
    'bin/locked',
    'bin/pong',
    'etc/hostname',
    'etc/passwd',
    'dev/null',
    'dev/loop0',
    'dev/fifo',
    'ü'.repeat(60),
    'tmp',
    'bin',
    'etc',
    'dev',
  ]) {
    touch(at(rel), sec++, 123_456_789);
  }
}
