// (c) Rebuild after editing one file of a 2,000-file / 40 MB context. Target: ≤ 0.5× BuildKit.
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildkitPeer, freshStore, makeContext, report, runs, stopPeers, tsbuildBuild, writeFiles, type Timing } from './lib.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-c-'));
makeContext(dir, 2000, 20 * 1024);
writeFiles(dir, { Dockerfile: 'FROM busybox:latest\nCOPY . /app\nRUN ls /app | wc -l\n' });
const edited = join(dir, 'd7', 'f742.bin');
const root = freshStore();
tsbuildBuild(root, ['-t', 'bench-c', dir]);
const ours: Timing[] = [];
for (let i = 0; i < runs(); i++) {
  appendFileSync(edited, `edit ${i} tsbuild\n`);
  ours.push(tsbuildBuild(root, ['-t', 'bench-c', dir]));
}
const peers: Record<string, Timing[]> = {};
const buildkit = buildkitPeer();
if (buildkit) {
  buildkit.build(dir, 'bench-c');
  peers[buildkit.name] = Array.from({ length: runs() }, (_, i) => {
    appendFileSync(edited, `edit ${i} buildkit\n`);
    return buildkit.build(dir, 'bench-c');
  });
  stopPeers();
}
report('(c) rebuild after editing one file', ours, peers, '≤ 0.5× BuildKit');
