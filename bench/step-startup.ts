// Start-up cost of one RUN step: runSandboxed of /bin/true in a busybox root, N times, as
// the process runs (root, or rootless when started through `tsbuild-userns`, see
// src/executor/README.md). Prints the median and p90 in ms.
//   npx tsx bench/step-startup.ts DIR [N] [none|host]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runSandboxed } from '../src/executor/index.js';
import { busyboxRootfsDir } from '../test/helpers/busybox-rootfs.js';

const [dir = '/tmp', count = '30', network = 'none'] = process.argv.slice(2);
const work = mkdtempSync(join(dir, 'step-startup-'));
const lower = busyboxRootfsDir(join(work, 'rootfs'));
const times: number[] = [];
try {
  for (let i = 0; i < Number(count); i++) {
    const upperdir = join(work, `upper-${i}`);
    const workdir = join(work, `work-${i}`);
    mkdirSync(upperdir);
    mkdirSync(workdir);
    const start = performance.now();
    const result = await runSandboxed({
      rootfs: { lowerdirs: [lower], upperdir, workdir },
      args: ['/bin/true'],
      env: ['PATH=/bin'],
      cwd: '/',
      user: '',
      network: network as 'none' | 'host',
      mounts: [],
    });
    times.push(performance.now() - start);
    if (result.exitCode !== 0) throw new Error(`exit ${result.exitCode}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
times.sort((a, b) => a - b);
const at = (q: number): string => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
console.log(`${network}: median ${at(0.5)} ms, p90 ${at(0.9)} ms over ${times.length} runs (load ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`);
