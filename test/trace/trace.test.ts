// --trace and --report on a real build: two independent stages that each `RUN sleep 1`
// must show as overlapping X events on two tracks, and the HTML page must render in
// headless Chromium with the step names in its DOM and a non-blank screenshot.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, TraceRecorder, type TraceEvent } from '../../src/api.js';
import { e2eEnv, tsbuild, type E2eEnv } from '../e2e/helpers.js';

const DOCKERFILE = `FROM busybox:latest AS left
RUN sleep 1 && echo left > /left.txt

FROM busybox:latest AS right
RUN sleep 1 && echo right > /right.txt

FROM busybox:latest
COPY --from=left /left.txt /out/
COPY --from=right /right.txt /out/
`;

let env: E2eEnv;
let dir: string;
let trace: { traceEvents: TraceEvent[] };
let reportFile: string;

beforeAll(async () => {
  env = await e2eEnv('e2e');
  dir = join(env.work, 'parallel');
  mkdirSync(dir);
  writeFileSync(join(dir, 'Dockerfile'), DOCKERFILE);
  const traceFile = join(env.work, 'trace.json');
  reportFile = join(env.work, 'report.html');
  const out = tsbuild(['build', '--progress', 'plain', '--no-cache', '--trace', traceFile, '--report', reportFile, '-t', 'parallel:1', dir], {
    root: env.root,
  });
  expect(out.status, out.stderr).toBe(0);
  trace = JSON.parse(readFileSync(traceFile, 'utf8')) as { traceEvents: TraceEvent[] };
});
afterAll(() => env?.dispose());

const complete = (name: string): TraceEvent => {
  const e = trace.traceEvents.find((t) => t.ph === 'X' && t.name === name);
  if (!e) throw new Error(`no X event ${name}`);
  return e;
};

describe('--trace', () => {
  it('has an X event per step with stage, instruction, cache hit and bytes written', () => {
    const left = complete('RUN sleep 1 && echo left > /left.txt');
    expect(left.args).toMatchObject({ stage: 'left', instruction: 'RUN sleep 1 && echo left > /left.txt', cached: false });
    expect(left.args.bytesWritten).toBeGreaterThan(0);
    expect(complete('COPY --from=right /right.txt /out/').args).toMatchObject({ stage: 'stage-2', cached: false });
  });

  it('puts the two parallel stages on their own tracks, overlapping in time', () => {
    const left = complete('RUN sleep 1 && echo left > /left.txt');
    const right = complete('RUN sleep 1 && echo right > /right.txt');
    expect(left.tid).not.toBe(right.tid);
    const overlap = Math.min(left.ts! + left.dur!, right.ts! + right.dur!) - Math.max(left.ts!, right.ts!);
    expect(overlap).toBeGreaterThan(0);
    const names = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args.name);
    expect(names).toEqual(expect.arrayContaining(['left', 'right', 'stage-2']));
  });

  it('marks steps of a rebuild as cached, with nothing written', async () => {
    const recorder = new TraceRecorder();
    await build({ context: dir, root: env.root, onEvent: recorder.onEvent });
    const run = recorder.spans().find((s) => s.step?.instruction === 'RUN sleep 1 && echo left > /left.txt');
    expect(run).toMatchObject({ cached: true });
    expect(run!.layerBytes).toBeGreaterThan(0);
  });
});

/** Decodes an 8-bit RGB(A) PNG's scanlines (filters left as they are) and counts distinct bytes. */
function distinctPixelBytes(png: Buffer): number {
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const len = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString();
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  return new Set(inflateSync(Buffer.concat(idat))).size;
}

// scripts/setup-system.sh installs Debian's chromium; without it these tests fail, not skip.
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? 'chromium';

describe('--report in headless Chromium', () => {
  const run = (args: string[]): { status: number | null; stdout: string } => {
    const profile = mkdtempSync(join(tmpdir(), 'tsbuild-chromium-'));
    try {
      const out = spawnSync(
        chromium,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
          `--user-data-dir=${profile}`,
          '--window-size=1200,900',
          ...args,
          `file://${reportFile}`,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      if (out.error) throw new Error(`cannot run ${chromium} (run scripts/setup-system.sh): ${out.error.message}`);
      return { status: out.status, stdout: out.stdout };
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  };

  it('renders the timeline and the steps, slowest first', () => {
    const out = run(['--dump-dom']);
    expect(out.status).toBe(0);
    for (const step of [
      'RUN sleep 1 &amp;&amp; echo left &gt; /left.txt',
      'RUN sleep 1 &amp;&amp; echo right &gt; /right.txt',
      'COPY --from=left /left.txt /out/',
    ]) {
      expect(out.stdout).toContain(step);
    }
    const rows = [...out.stdout.matchAll(/<td class="step">([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(rows.slice(0, 2).every((r) => r?.startsWith('RUN sleep 1'))).toBe(true);
    expect(out.stdout).toContain('<div class="label">left</div>');
    expect(out.stdout).toContain('<div class="label">right</div>');
  });

  it('takes a screenshot that is not blank', () => {
    const shot = join(env.work, 'report.png');
    const out = run([`--screenshot=${shot}`]);
    expect(out.status).toBe(0);
    const png = readFileSync(shot);
    expect(png.length).toBeGreaterThan(5_000);
    expect(distinctPixelBytes(png)).toBeGreaterThan(20);
  });
});
