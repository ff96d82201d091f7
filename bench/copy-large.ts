// (d) COPY of a 10,000-file / 1 GB context, cold. Target: ≤ 0.3× BuildKit with peak memory ≤ 300 MB.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildkitPeer, freshStore, makeContext, report, runs, stopPeers, tsbuildBuild, writeFiles, type Timing } from './lib.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-d-'));
makeContext(dir, 10_000, 100 * 1024);
writeFiles(dir, { Dockerfile: 'FROM busybox:latest\nCOPY . /data\n' });
const root = freshStore();
const count = Math.min(runs(), 3);
const ours: Timing[] = Array.from({ length: count }, () => tsbuildBuild(root, ['--no-cache', '-t', 'bench-d', dir]));
const peers: Record<string, Timing[]> = {};
const buildkit = buildkitPeer();
if (buildkit) {
  peers[buildkit.name] = Array.from({ length: count }, () => buildkit.build(dir, 'bench-d', { noCache: true }));
  stopPeers();
}
report('(d) COPY of 10,000 files / 1 GB', ours, peers, '≤ 0.3× BuildKit, peak ≤ 300 MB');
