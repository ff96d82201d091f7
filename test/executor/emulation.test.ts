// The binfmt_misc check that runs before a build or `run` of another architecture, against
// fake binfmt_misc directories (the machine's own registration is never touched).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkEmulation, runsNatively } from '../../src/executor/emulation.js';
import { SandboxError } from '../../src/executor/index.js';
import { hostPlatform } from '../../src/platform.js';

const ARM64 = { os: 'linux', architecture: 'arm64' };
const FIX = 'apt-get install qemu-user-static binfmt-support';

function entry(flags: string, state = 'enabled'): string {
  return `${state}\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: ${flags}\noffset 0\nmagic 7f454c46\n`;
}

describe.skipIf(hostPlatform().architecture !== 'amd64')('checkEmulation', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tsbuild-binfmt-'));
    writeFileSync(join(dir, 'status'), 'enabled\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a registration that is enabled with the F flag', () => {
    writeFileSync(join(dir, 'qemu-aarch64'), entry('PF'));
    expect(() => checkEmulation(ARM64, dir)).not.toThrow();
  });

  it('needs nothing for this machine and for i386 on x86-64', () => {
    const empty = join(dir, 'nothing');
    expect(() => checkEmulation(hostPlatform(), empty)).not.toThrow();
    expect(runsNatively({ os: 'linux', architecture: '386' })).toBe(true);
    expect(runsNatively(ARM64)).toBe(false);
  });

  it.each([
    ['missing', undefined, 'qemu-aarch64 is not registered'],
    ['disabled', entry('PF', 'disabled'), 'qemu-aarch64 is disabled'],
    ['without F', entry('P'), 'registered without the F flag (flags: P)'],
  ])('names the platform and the fix when the entry is %s', (_what, content, problem) => {
    if (content !== undefined) writeFileSync(join(dir, 'qemu-aarch64'), content);
    expect(() => checkEmulation(ARM64, dir)).toThrow(SandboxError);
    expect(() => checkEmulation(ARM64, dir)).toThrow(problem);
    expect(() => checkEmulation(ARM64, dir)).toThrow(/^linux\/arm64 binaries .*need QEMU user-mode emulation/);
    expect(() => checkEmulation(ARM64, dir)).toThrow(FIX);
    expect(() => checkEmulation(ARM64, dir)).toThrow('update-binfmts --enable qemu-aarch64');
  });

  it('says when binfmt_misc is not mounted', () => {
    const unmounted = join(dir, 'unmounted');
    mkdirSync(unmounted);
    expect(() => checkEmulation(ARM64, unmounted)).toThrow(`binfmt_misc is not mounted at ${unmounted}`);
  });

  it('names the emulator of other architectures, and refuses other systems', () => {
    expect(() => checkEmulation({ os: 'linux', architecture: 'riscv64' }, dir)).toThrow('update-binfmts --enable qemu-riscv64');
    expect(() => checkEmulation({ os: 'linux', architecture: 'arm', variant: 'v7' }, dir)).toThrow('linux/arm/v7 binaries');
    expect(() => checkEmulation({ os: 'windows', architecture: 'amd64' }, dir)).toThrow('only linux/* platforms can be emulated');
  });
});
