// Shared pieces of the benchmarks: timing, medians, peak memory, and the peers
// (BuildKit through Debian's docker.io, Buildah) started by ../shared/peers when present.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repo = resolve(new URL('..', import.meta.url).pathname);
const peersDir = resolve(repo, '../shared/peers');
const tsbuildBin = join(repo, 'bin/tsbuild');

export interface Timing {
  seconds: number;
  peakRssMb: number;
}

/** Runs a command and measures wall time and the peak RSS of the process tree's largest member (GNU time). */
export function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Timing {
  const started = process.hrtime.bigint();
  const out = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (out.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${out.stderr}`);
  const kb = Number(out.stderr.trim().split('\n').at(-1));
  return { seconds, peakRssMb: Math.round(kb / 1024) };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `tsbuild build --root ROOT …ARGS` */
export function tsbuildBuild(root: string, args: string[]): Timing {
  return timed(process.execPath, [tsbuildBin, 'build', '--root', root, '--progress', 'quiet', ...args]);
}

/** Writes `count` files of `bytes` each (deterministic content) under `dir`, 100 per subdirectory. */
export function makeContext(dir: string, count: number, bytes: number): void {
  for (let i = 0; i < count; i++) {
    const sub = join(dir, `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(sub, { recursive: true });
    const content = Buffer.alloc(bytes, i % 251);
    content.write(`file ${i}\n`);
    writeFileSync(join(sub, `f${i}.bin`), content);
  }
}

export function runs(): number {
  return Number(process.env.BENCH_RUNS ?? 5);
}

/** A store with the busybox base image imported as busybox:latest. */
export function freshStore(): string {
  const root = mkdtempSync(join(tmpdir(), 'tsbuild-bench-'));
  const rootfs = join(root, 'busybox.tar');
  execFileSync('sh', [join(peersDir, 'busybox-rootfs.sh'), rootfs], { stdio: 'ignore' });
  execFileSync(process.execPath, [tsbuildBin, 'import', '--root', root, rootfs, '-t', 'busybox:latest'], { stdio: 'inherit' });
  return root;
}

export interface Peer {
  name: string;
  /** Builds `dir` (with its Dockerfile) with the peer's layer cache. */
  build(dir: string, tag: string, opts?: { noCache?: boolean }): Timing;
}

/** BuildKit via Debian's docker.io daemon on a private socket, when ../shared/peers is present. */
export function buildkitPeer(): Peer | null {
  const script = join(peersDir, 'buildkit.sh');
  if (!existsSync(script) || process.env.BENCH_PEERS === '0') return null;
  const host = execFileSync('sh', [script], { encoding: 'utf8' }).trim().split('\n').at(-1)!;
  const env = { DOCKER_HOST: host, DOCKER_BUILDKIT: '1' };
  const rootfs = join(mkdtempSync(join(tmpdir(), 'bench-bb-')), 'busybox.tar');
  execFileSync('sh', [join(peersDir, 'busybox-rootfs.sh'), rootfs], { stdio: 'ignore' });
  execFileSync('/usr/bin/docker', ['import', rootfs, 'busybox:latest'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  return {
    name: 'BuildKit',
    build: (dir, tag, opts) =>
      timed('/usr/bin/docker', ['build', '-q', ...(opts?.noCache ? ['--no-cache'] : []), '--network', 'none', '-t', tag, dir], env),
  };
}

export function stopPeers(): void {
  const script = join(peersDir, 'buildkit.sh');
  if (existsSync(script)) spawnSync('sh', [script, 'stop'], { stdio: 'ignore' });
}

/** Prints one scenario's line: tsbuild's median, each peer's, and the ratio against it. */
export function report(scenario: string, ours: Timing[], peers: Record<string, Timing[]>, target?: string): void {
  const m = median(ours.map((t) => t.seconds));
  const rss = Math.max(...ours.map((t) => t.peakRssMb));
  let line = `${scenario}: tsbuild median ${m.toFixed(3)}s (peak RSS ${rss} MB)`;
  for (const [name, runs] of Object.entries(peers)) {
    const pm = median(runs.map((t) => t.seconds));
    line += `; ${name} ${pm.toFixed(3)}s → ratio ${(m / pm).toFixed(2)}×`;
  }
  if (target) line += ` [target ${target}]`;
  console.log(line);
}

export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}
