// (a) Cold build of a multi-stage Dockerfile with two independent 2 s stages.
// Target: ≤ 0.9× BuildKit. Both builders run with --no-cache, so each run is cold.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildkitPeer, freshStore, report, runs, stopPeers, tsbuildBuild, writeFiles, type Timing } from './lib.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-a-'));
writeFiles(dir, {
  Dockerfile: `FROM busybox:latest AS one
RUN sleep 2 && echo one > /one
FROM busybox:latest AS two
RUN sleep 2 && echo two > /two
FROM busybox:latest
COPY --from=one /one /one
COPY --from=two /two /two
`,
});
const root = freshStore();
const ours: Timing[] = [];
for (let i = 0; i < runs(); i++) ours.push(tsbuildBuild(root, ['--no-cache', '-t', 'bench-a', dir]));
const peers: Record<string, Timing[]> = {};
const buildkit = buildkitPeer();
if (buildkit) {
  buildkit.build(dir, 'bench-a'); // warm the daemon
  peers[buildkit.name] = Array.from({ length: runs() }, () => buildkit.build(dir, 'bench-a', { noCache: true }));
  stopPeers();
}
report('(a) cold multi-stage, two parallel 2 s stages', ours, peers, '≤ 0.9× BuildKit');
