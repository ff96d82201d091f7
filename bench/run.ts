// Issue 14's held-out checks in one go: each scenario with tsbuild and BuildKit, paired runs,
// medians, the ratio against the target. `npx tsx bench/run.ts [parallel noop edit big-cold big-noop]`
// (none named: all five). Without BuildKit (BENCH_PEERS=0, or no ../shared/peers) tsbuild alone.
import { buildkitBuilder, fmt, machineLoad, runs, stopPeers, tsbuildBuilder, type Builder, type Summary } from './lib.js';
import { runScenario, scenariosNamed, type Scenario } from './scenarios.js';

const chosen = scenariosNamed(process.argv.slice(2));
const buildkit = buildkitBuilder();
const rows: string[] = [];
console.log(`${runs()} paired runs per scenario; ${machineLoad()}`);
try {
  for (const scenario of chosen) {
    const tsbuild = tsbuildBuilder();
    try {
      const [ours, theirs] = withPeerOrAlone(scenario, tsbuild);
      const line = verdict(scenario, ours!, theirs);
      console.log(`${scenario.title}\n  ${line.text}`);
      rows.push(line.row);
    } finally {
      tsbuild.dispose();
    }
  }
} finally {
  stopPeers();
}
console.log(`\n${machineLoad()}\n`);
console.log('| scenario | tsbuild median | BuildKit median | ratio | target | tsbuild peak RSS | met? |');
console.log('|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);

/** Paired with BuildKit; if BuildKit's builds keep failing, tsbuild alone (the line then has no ratio). */
function withPeerOrAlone(scenario: Scenario, tsbuild: Builder): (Summary | undefined)[] {
  if (!buildkit) return runScenario(scenario, [tsbuild]);
  try {
    return runScenario(scenario, [tsbuild, buildkit]);
  } catch (err) {
    const why = (err as Error).message.split('\n').find((l) => l.includes('ERROR')) ?? (err as Error).message.split('\n')[0];
    console.log(`  BuildKit failed, tsbuild alone: ${why}`);
    return runScenario(scenario, [tsbuild]);
  }
}

function verdict(scenario: Scenario, ours: Summary, theirs: Summary | undefined): { text: string; row: string } {
  const ratio = theirs ? ours.median / theirs.median : undefined;
  const rssOk = scenario.rssLimitMb === undefined || ours.peakRssMb <= scenario.rssLimitMb;
  const met = ratio === undefined ? '?' : ratio <= scenario.target && rssOk ? 'yes' : 'no';
  const target = `≤ ${scenario.target}×${scenario.rssLimitMb ? `, ≤ ${scenario.rssLimitMb} MB` : ''}`;
  const spread = (s: Summary) => `${fmt(s.median)} (${s.min.toFixed(3)}–${s.max.toFixed(3)})`;
  let text = `tsbuild ${spread(ours)}, peak RSS ${ours.peakRssMb} MB`;
  if (theirs) text += `; BuildKit ${spread(theirs)}; ratio ${ratio!.toFixed(2)}× (target ${target}: ${met})`;
  if (scenario.criticalPath) {
    const over = (ours.median - scenario.criticalPath.seconds) * 1000;
    text += `\n  above the ${scenario.criticalPath.seconds} s critical path: ${over.toFixed(0)} ms, ${(over / scenario.criticalPath.steps).toFixed(0)} ms per step on it (${scenario.criticalPath.steps}; node's start-up included)`;
  }
  const row = `| ${scenario.title} | ${fmt(ours.median)} | ${theirs ? fmt(theirs.median) : '–'} | ${ratio ? `${ratio.toFixed(2)}×` : '–'} | ${target} | ${ours.peakRssMb} MB | ${met} |`;
  return { text, row };
}
