// (b) No-op rebuild of a 2,000-file / 40 MB context (everything cached). Target: ≤ 0.5× BuildKit.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildkitPeer, freshStore, makeContext, report, runs, stopPeers, tsbuildBuild, writeFiles, type Timing } from './lib.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-b-'));
makeContext(dir, 2000, 20 * 1024);
writeFiles(dir, { Dockerfile: 'FROM busybox:latest\nCOPY . /app\nRUN ls /app | wc -l\n' });
const root = freshStore();
tsbuildBuild(root, ['-t', 'bench-b', dir]);
const ours: Timing[] = Array.from({ length: runs() }, () => tsbuildBuild(root, ['-t', 'bench-b', dir]));
const peers: Record<string, Timing[]> = {};
const buildkit = buildkitPeer();
if (buildkit) {
  buildkit.build(dir, 'bench-b');
  peers[buildkit.name] = Array.from({ length: runs() }, () => buildkit.build(dir, 'bench-b'));
  stopPeers();
}
report('(b) no-op rebuild, 2,000 files / 40 MB', ours, peers, '≤ 0.5× BuildKit');
