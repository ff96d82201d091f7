// An arm64 busybox root filesystem from Debian's busybox-static:arm64, made by the shared peers
// script (apt downloads the package). Running it needs qemu-user-static registered in binfmt_misc.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const script = resolve(new URL('../../../shared/peers/busybox-rootfs.sh', import.meta.url).pathname);

/** Why arm64 tests cannot run here, or undefined when they can. */
export function arm64Missing(): string | undefined {
  if (process.arch !== 'x64') return 'the multi-platform tests emulate arm64 on an x86-64 machine';
  if (!existsSync(script)) return `${script} is missing`;
  if (!existsSync('/proc/sys/fs/binfmt_misc/qemu-aarch64')) return 'qemu-aarch64 is not registered in binfmt_misc (bash scripts/setup-system.sh)';
  return undefined;
}

/** Writes the arm64 rootfs tar to `out` and returns it. */
export function arm64RootfsTar(out: string): string {
  execFileSync('sh', [script, out, 'arm64'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return out;
}
