// Shared pieces of the benchmarks: timing, medians, peak memory, contexts, the builders
// (tsbuild from this tree or another one, BuildKit through ../shared/peers) and paired runs.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repo = resolve(new URL('..', import.meta.url).pathname);
const peersDir = resolve(repo, '../shared/peers');

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

/** Timed runs per scenario and builder: `BENCH_RUNS`, default 7 (medians of at least 7). */
export function runs(): number {
  return Number(process.env.BENCH_RUNS ?? 7);
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

/**
 * A context kept between runs of the benchmarks under $TMPDIR/tsbuild-bench-NAME (big ones take
 * a while to write): `fill` runs once, a marker file outside the context says it finished.
 */
export function keptContext(name: string, fill: (dir: string) => void): string {
  const dir = join(tmpdir(), `tsbuild-bench-${name}`);
  const done = `${dir}.complete`;
  if (!existsSync(done)) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    console.error(`writing the ${name} context in ${dir} …`);
    fill(dir);
    writeFileSync(done, '');
  }
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}

/** One builder under test: each keeps its own layer cache (a tsbuild store, the BuildKit daemon's). */
export interface Builder {
  name: string;
  build(dir: string, tag: string, opts?: { noCache?: boolean }): Timing;
  /** Frees what the builder holds (a tsbuild store); the daemon is stopped by `stopPeers`. */
  dispose(): void;
}

/**
 * RUN steps' network. BuildKit gets `--network none`: its default network is the daemon's bridge,
 * which the peer daemon does not have (`network bridge not found`). tsbuild runs as a user runs
 * it, with its default network (slirp4netns, ~20 ms more per RUN), unless BENCH_NETWORK=none
 * gives it `--network none` too.
 */
function tsbuildNetworkArgs(): string[] {
  return process.env.BENCH_NETWORK === 'none' ? ['--network', 'none'] : [];
}

let busyboxTar: string | undefined;

/** The busybox base image every builder starts from (../shared/peers/busybox-rootfs.sh), made once. */
function busybox(): string {
  if (busyboxTar === undefined) {
    busyboxTar = join(mkdtempSync(join(tmpdir(), 'bench-bb-')), 'busybox.tar');
    execFileSync('sh', [join(peersDir, 'busybox-rootfs.sh'), busyboxTar], { stdio: 'ignore' });
  }
  return busyboxTar;
}

/**
 * tsbuild as built in `tree` (this repository by default: run `npm run build` first), on a fresh
 * store of its own with busybox imported as busybox:latest; `tsbuild build --root STORE …`.
 */
export function tsbuildBuilder(name = 'tsbuild', tree = repo): Builder {
  const bin = join(tree, 'bin/tsbuild');
  const root = mkdtempSync(join(tmpdir(), 'tsbuild-bench-store-'));
  execFileSync(process.execPath, [bin, 'import', '--root', root, busybox(), '-t', 'busybox:latest'], { stdio: 'ignore' });
  return {
    name,
    build: (dir, tag, opts) =>
      timed(process.execPath, [
        bin,
        'build',
        '--root',
        root,
        '--progress',
        'quiet',
        ...(opts?.noCache ? ['--no-cache'] : []),
        ...tsbuildNetworkArgs(),
        '-t',
        tag,
        dir,
      ]),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * A built tsbuild tree to compare with: DIR as it is (built already), or REV of this repository
 * extracted with `git archive` to $TMPDIR/tsbuild-bench-tree-REV and built there once (this
 * tree's node_modules, its `npm run build`, node-gyp for the native parts).
 */
export function treeAt(revOrDir: string): string {
  if (existsSync(join(revOrDir, 'bin/tsbuild'))) return resolve(revOrDir);
  const rev = execFileSync('git', ['rev-parse', '--short', revOrDir], { cwd: repo, encoding: 'utf8' }).trim();
  const dir = join(tmpdir(), `tsbuild-bench-tree-${rev}`);
  if (existsSync(join(dir, '.built'))) return dir;
  console.error(`building ${revOrDir} (${rev}) in ${dir} …`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', 'git archive "$1" | tar -x -C "$2"', 'sh', rev, dir], { cwd: repo, stdio: 'inherit' });
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  // The revision's own build: tsc, and from the CLI bundle on, esbuild too.
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: dir, stdio: 'inherit' });
  const gyp = '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js';
  execFileSync(process.execPath, [gyp, 'rebuild', '--nodedir=/usr'], { cwd: dir, stdio: 'ignore' });
  writeFileSync(join(dir, '.built'), '');
  return dir;
}

/** Whether this process started the peer daemon (another bench may share it: only its starter stops it). */
let startedDaemon = false;

/** BuildKit via Debian's docker.io daemon on a private socket, when ../shared/peers is present and BENCH_PEERS is not 0. */
export function buildkitBuilder(): Builder | null {
  const script = join(peersDir, 'buildkit.sh');
  if (!existsSync(script) || process.env.BENCH_PEERS === '0') return null;
  const sock = join(process.env.TSBUILD_PEER_DIR ?? '/tmp/tsbuild-peers', 'dockerd/docker.sock');
  const running = spawnSync('/usr/bin/docker', ['version'], { env: { ...process.env, DOCKER_HOST: `unix://${sock}` }, stdio: 'ignore' }).status === 0;
  const host = execFileSync('sh', [script], { encoding: 'utf8' }).trim().split('\n').at(-1)!;
  startedDaemon ||= !running;
  const env = { DOCKER_HOST: host, DOCKER_BUILDKIT: '1' };
  execFileSync('/usr/bin/docker', ['import', busybox(), 'busybox:latest'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  return {
    name: 'BuildKit',
    build: (dir, tag, opts) => {
      const args = ['build', '-q', ...(opts?.noCache ? ['--no-cache'] : []), '--network', 'none', '-t', tag, dir];
      // This docker.io's BuildKit now and then loses a stage's mount under parallel --no-cache
      // builds (`lstat …/buildkit-mount…/two: no such file or directory`): such a run is retried.
      for (let attempt = 1; ; attempt++) {
        try {
          return timed('/usr/bin/docker', args, env);
        } catch (err) {
          if (attempt === 3) throw err;
          const why = (err as Error).message.split('\n').find((l) => l.includes('ERROR')) ?? '';
          console.error(`BuildKit build failed (attempt ${attempt}), retrying: ${why}`);
        }
      }
    },
    dispose: () => undefined,
  };
}

/** Stops the peer daemon if this process started it. */
export function stopPeers(): void {
  const script = join(peersDir, 'buildkit.sh');
  if (startedDaemon && existsSync(script)) spawnSync('sh', [script, 'stop'], { stdio: 'ignore' });
  startedDaemon = false;
}

/**
 * Paired runs: run i of every builder comes before run i + 1 of any, and the builders take
 * turns going first, so a busy minute on this shared machine hits all of them alike.
 * `before` runs ahead of each build (an edit, say).
 */
export function paired(count: number, builders: Builder[], run: (builder: Builder) => Timing, before?: (builder: Builder, i: number) => void): Timing[][] {
  const timings: Timing[][] = builders.map(() => []);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < builders.length; j++) {
      const k = (i + j) % builders.length;
      before?.(builders[k]!, i);
      timings[k]!.push(run(builders[k]!));
    }
  }
  return timings;
}

/** A builder's runs, summarized. */
export interface Summary {
  name: string;
  median: number;
  min: number;
  max: number;
  peakRssMb: number;
}

export function summarize(name: string, timings: Timing[]): Summary {
  const seconds = timings.map((t) => t.seconds);
  return { name, median: median(seconds), min: Math.min(...seconds), max: Math.max(...seconds), peakRssMb: Math.max(...timings.map((t) => t.peakRssMb)) };
}

export const fmt = (seconds: number): string => `${seconds.toFixed(3)} s`;

/** Loads of this machine (other tenants' work shows here), for the record next to the numbers. */
export function machineLoad(): string {
  const pressure = existsSync('/proc/pressure/cpu') ? readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0] : '';
  return `load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}${pressure ? `; cpu pressure ${pressure}` : ''}`;
}
