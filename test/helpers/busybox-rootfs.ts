// A small busybox root filesystem built from Debian's busybox-static, the same tree as
// ../shared/peers/busybox-rootfs.sh: applets as symlinks, users root, nobody and app (1000).
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BUSYBOX = '/bin/busybox';

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000:app:/home/app:/bin/sh\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\n';

/** Why busybox tests cannot run here, or undefined when they can. */
export function busyboxMissing(): string | undefined {
  return existsSync(BUSYBOX) ? undefined : `${BUSYBOX} is missing (apt-get install busybox-static)`;
}

/** Builds the rootfs tree in `dir` (created) and returns it. */
export function busyboxRootfsDir(dir: string): string {
  for (const sub of ['bin', 'etc', 'tmp', 'root', 'proc', 'sys', 'dev', 'usr/bin', 'var']) mkdirSync(join(dir, sub), { recursive: true });
  copyFileSync(BUSYBOX, join(dir, 'bin/busybox'));
  chmodSync(join(dir, 'bin/busybox'), 0o755);
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const applet of applets) {
    if (!existsSync(join(dir, 'bin', applet))) symlinkSync('busybox', join(dir, 'bin', applet));
  }
  writeFileSync(join(dir, 'etc/passwd'), PASSWD);
  writeFileSync(join(dir, 'etc/group'), GROUP);
  chmodSync(join(dir, 'tmp'), 0o1777);
  return dir;
}

/** Writes the rootfs as a deterministic tar (sorted, mtime 0, owner root) to `out`. */
export function busyboxRootfsTar(out: string, workDir: string): string {
  const dir = busyboxRootfsDir(join(workDir, 'busybox-rootfs'));
  execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', dir, '-cf', out, '.']);
  return out;
}
