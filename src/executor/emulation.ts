// RUN for another architecture runs its binaries through QEMU user-mode emulation that the
// kernel starts by itself (binfmt_misc). The `F` flag makes the kernel open the emulator when it
// is registered, so it works inside the sandbox's new root where no host file is visible.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatPlatform, hostPlatform, type Platform } from '../platform.js';
import { SandboxError } from './sandbox-error.js';

/** binfmt_misc entry names of Debian's qemu-user-static, by OCI architecture. */
const QEMU_BY_ARCH: Record<string, string> = {
  amd64: 'x86_64',
  arm64: 'aarch64',
  arm: 'arm',
  '386': 'i386',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  mips64le: 'mips64el',
  loong64: 'loongarch64',
};

/** Where binfmt_misc is mounted; TSBUILD_BINFMT_MISC points elsewhere (tests simulate a machine without QEMU). */
export function binfmtMiscDir(): string {
  return process.env.TSBUILD_BINFMT_MISC ?? '/proc/sys/fs/binfmt_misc';
}

/** True when this machine runs the platform's binaries without help (x86-64 also runs i386). */
export function runsNatively(platform: Platform, host: Platform = hostPlatform()): boolean {
  if (platform.os !== host.os) return false;
  if (platform.architecture === host.architecture) return true;
  return host.architecture === 'amd64' && platform.architecture === '386';
}

/**
 * Throws one clear error when RUN steps for `platform` cannot run here: not Linux, or QEMU for
 * its architecture not registered in binfmt_misc (missing, disabled, or without the F flag).
 */
export function checkEmulation(platform: Platform, dir: string = binfmtMiscDir()): void {
  if (runsNatively(platform)) return;
  const name = formatPlatform(platform);
  if (platform.os !== 'linux') {
    throw new SandboxError(`RUN steps for ${name} cannot run on Linux: only linux/* platforms can be emulated`);
  }
  const qemu = QEMU_BY_ARCH[platform.architecture];
  if (qemu === undefined) {
    throw new SandboxError(`RUN steps for ${name} cannot run here: tsbuild knows no QEMU emulator for the ${platform.architecture} architecture`);
  }
  const entry = join(dir, `qemu-${qemu}`);
  const problem = registrationProblem(dir, entry);
  if (problem === null) return;
  throw new SandboxError(
    `${name} binaries (RUN steps, tsbuild run) need QEMU user-mode emulation, and ${problem}. ` +
      `Install and register it with: apt-get install qemu-user-static binfmt-support ` +
      `(or, when installed, enable it with: update-binfmts --enable qemu-${qemu})`,
  );
}

function registrationProblem(dir: string, entry: string): string | null {
  let text: string;
  try {
    text = readFileSync(entry, 'utf8');
  } catch {
    try {
      readFileSync(join(dir, 'status'), 'utf8');
    } catch {
      return `binfmt_misc is not mounted at ${dir} (mount -t binfmt_misc binfmt_misc ${dir})`;
    }
    return `${entry} is not registered`;
  }
  const lines = text.split('\n');
  if (lines[0]?.trim() !== 'enabled') return `${entry} is disabled`;
  const flags =
    lines
      .find((l) => l.startsWith('flags:'))
      ?.slice('flags:'.length)
      .trim() ?? '';
  if (!flags.includes('F')) {
    return `${entry} is registered without the F flag (flags: ${flags || 'none'}), so the emulator is not reachable inside the sandbox`;
  }
  return null;
}
