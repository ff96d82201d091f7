// The five scenarios of issue 14's held-out checks, as data: a context, a Dockerfile, the
// build flags, what happens before each timed build, and the target against BuildKit.
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keptContext, makeContext, paired, runs, summarize, writeFiles, type Builder, type Summary } from './lib.js';

export interface Scenario {
  id: string;
  title: string;
  /** tsbuild's median over BuildKit's must be at most this. */
  target: number;
  /** Peak RSS tsbuild must stay under, when the scenario has a bound. */
  rssLimitMb?: number;
  /** The context directory, with its Dockerfile (made on first use). */
  context(): string;
  noCache?: boolean;
  /** Runs before each timed build (of every builder). */
  before?(dir: string): void;
  /** Seconds of the build that no builder can avoid (the parallel build's critical path), and the steps on it. */
  criticalPath?: { seconds: number; steps: number };
}

/** The `app` context: 2,000 source files / 40 MB under src/, copied and listed. */
function app(): string {
  return keptContext('app', (dir) => {
    makeContext(join(dir, 'src'), 2000, 20 * 1024);
    writeFiles(dir, { Dockerfile: 'FROM busybox:latest\nCOPY . /app\nRUN ls -R /app | wc -l\n' });
  });
}

/** The `big` context: 10,000 files of 100 KiB (1 GB), copied. */
function big(): string {
  return keptContext('big', (dir) => {
    makeContext(dir, 10_000, 100 * 1024);
    writeFiles(dir, { Dockerfile: 'FROM busybox:latest\nCOPY . /data\n' });
  });
}

let edits = 0;

export const scenarios: Scenario[] = [
  {
    id: 'parallel',
    title: '(a) parallel cold: 3 stages of `RUN sleep 3`, a final stage copying from each (`--no-cache`)',
    target: 0.9,
    noCache: true,
    criticalPath: { seconds: 3, steps: 4 },
    context: () => {
      const dir = mkdtempSync(join(tmpdir(), 'bench-parallel-'));
      const stages = ['one', 'two', 'three'];
      writeFiles(dir, {
        Dockerfile: [
          ...stages.map((s) => `FROM busybox:latest AS ${s}\nRUN sleep 3 && echo ${s} > /${s}\n`),
          'FROM busybox:latest\n',
          ...stages.map((s) => `COPY --from=${s} /${s} /${s}\n`),
        ].join(''),
      });
      return dir;
    },
  },
  { id: 'noop', title: '(b) app no-op rebuild: 2,000 files / 40 MB, all cached', target: 0.5, context: app },
  {
    id: 'edit',
    title: '(c) app edit rebuild: one file of src/ appended',
    target: 0.5,
    context: app,
    before: (dir) => appendFileSync(join(dir, 'src/d7/f742.bin'), `edit ${++edits}\n`),
  },
  { id: 'big-cold', title: '(d) big cold COPY: 10,000 files / 1 GB (`--no-cache`)', target: 0.3, rssLimitMb: 300, noCache: true, context: big },
  { id: 'big-noop', title: '(e) big no-op rebuild: 10,000 files / 1 GB, all cached', target: 0.5, context: big },
];

export function scenariosNamed(ids: string[]): Scenario[] {
  if (ids.length === 0) return scenarios;
  return ids.map((id) => {
    const found = scenarios.find((s) => s.id === id);
    if (!found) throw new Error(`no scenario ${id}; there are ${scenarios.map((s) => s.id).join(', ')}`);
    return found;
  });
}

/**
 * Builds the scenario once with each builder (untimed: caches and the page cache warm, the
 * daemon awake), then `count` paired timed builds; a summary per builder, in order.
 */
export function runScenario(scenario: Scenario, builders: Builder[], count = runs()): Summary[] {
  const dir = scenario.context();
  const tag = `bench-${scenario.id}`;
  const build = (b: Builder) => b.build(dir, tag, { noCache: scenario.noCache ?? false });
  for (const b of builders) build(b);
  const timings = paired(count, builders, build, scenario.before && (() => scenario.before!(dir)));
  return builders.map((b, i) => summarize(b.name, timings[i]!));
}
