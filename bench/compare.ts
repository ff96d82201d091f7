// Before/after: tsbuild of another tree (a revision, built once from `git archive`, or a built
// directory) against this tree, on the scenarios, old and new alternating run by run.
//   npx tsx bench/compare.ts [--against REV|DIR] [scenario…]   (default HEAD~1, all scenarios)
// Run `npm run build` (and node-gyp after a change under native/) in this tree first.
import { fmt, machineLoad, runs, treeAt, tsbuildBuilder } from './lib.js';
import { runScenario, scenariosNamed } from './scenarios.js';

const args = process.argv.slice(2);
const at = args.indexOf('--against');
const against = at >= 0 ? args.splice(at, 2)[1]! : 'HEAD~1';
const oldTree = treeAt(against);
console.log(`old: ${against} (${oldTree}); new: this tree; ${runs()} paired runs each; ${machineLoad()}`);
const rows: string[] = [];
for (const scenario of scenariosNamed(args)) {
  const old = tsbuildBuilder(`old`, oldTree);
  const now = tsbuildBuilder('new');
  try {
    const [before, after] = runScenario(scenario, [old, now]);
    const line = `| ${scenario.title} | ${fmt(before!.median)} | ${fmt(after!.median)} | ${(before!.median / after!.median).toFixed(2)}× | ${before!.peakRssMb} → ${after!.peakRssMb} MB |`;
    console.log(line);
    rows.push(line);
  } finally {
    old.dispose();
    now.dispose();
  }
}
console.log(`\n${machineLoad()}\n`);
console.log(`| scenario | before (${against}) | after | speed-up | peak RSS before → after |`);
console.log('|---|---|---|---|---|');
for (const row of rows) console.log(row);
