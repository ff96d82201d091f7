// How rebuild time grows with the context: no-op and one-edit rebuilds of contexts of 1,000,
// 10,000 and 100,000 files of 1 KiB (`COPY . /ctx`), tsbuild alone. The no-op should grow only
// by an lstat per file: the table gives its µs per file (slope against the smallest context)
// next to a plain readdir + lstat walk of the same tree in this process, the floor. The edit
// appends 100 bytes to one file: above the no-op it should not grow with the file count.
//   npx tsx bench/scaling.ts [count…]   (default 1000 10000 100000; BENCH_RUNS runs each)
import { appendFileSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, keptContext, machineLoad, makeContext, median, runs, tsbuildBuilder, writeFiles } from './lib.js';

const counts = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [1000, 10_000, 100_000];

/** µs per entry of a readdir + lstat walk (best of three: the page cache is warm by then). */
function walkMicros(dir: string): number {
  let best = Infinity;
  let entries = 0;
  for (let round = 0; round < 3; round++) {
    entries = 0;
    const started = performance.now();
    const stack = [dir];
    while (stack.length > 0) {
      const at = stack.pop()!;
      for (const name of readdirSync(at)) {
        const path = join(at, name);
        entries++;
        if (lstatSync(path, { bigint: true }).isDirectory()) stack.push(path);
      }
    }
    best = Math.min(best, performance.now() - started);
  }
  return (best * 1000) / entries;
}

interface Row {
  files: number;
  noop: number;
  edit: number;
  walkUs: number;
}

console.log(`${runs()} runs per size; ${machineLoad()}`);
const rows: Row[] = [];
for (const files of counts) {
  const dir = keptContext(`scale-${files}`, (d) => {
    makeContext(d, files, 1024);
    writeFiles(d, { Dockerfile: 'FROM busybox:latest\nCOPY . /ctx\n' });
  });
  const tsbuild = tsbuildBuilder();
  try {
    tsbuild.build(dir, 'bench-scale');
    const noop: number[] = [];
    const edit: number[] = [];
    for (let i = 0; i < runs(); i++) {
      noop.push(tsbuild.build(dir, 'bench-scale').seconds);
      appendFileSync(join(dir, 'd0', 'f7.bin'), Buffer.alloc(100, 'e'));
      edit.push(tsbuild.build(dir, 'bench-scale').seconds);
    }
    rows.push({ files, noop: median(noop), edit: median(edit), walkUs: walkMicros(dir) });
    console.log(`${files} files: no-op ${fmt(median(noop))}, edit ${fmt(median(edit))}`);
  } finally {
    tsbuild.dispose();
  }
}

const first = rows[0]!;
console.log(`\n${machineLoad()}\n`);
console.log('| files | no-op median | no-op µs per file (slope from the smallest) | readdir+lstat walk µs per file | edit median | edit − no-op |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  const slope = r === first ? '–' : (((r.noop - first.noop) * 1e6) / (r.files - first.files)).toFixed(1);
  console.log(
    `| ${r.files.toLocaleString('en')} | ${fmt(r.noop)} | ${slope} | ${r.walkUs.toFixed(1)} | ${fmt(r.edit)} | ${((r.edit - r.noop) * 1000).toFixed(0)} ms |`,
  );
}
