// Hashes a 10,000-file, 1 GB build context twice with one stat cache and prints both
// times: the first reads everything, the second should cost one lstat per file (target
// under 0.2 s). Run: npx tsx bench/context-hash.ts [dir]  (the tree is created if missing).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStatCache, openContext, TreeHasher } from '../src/context/index.js';

const FILES = 10_000;
const FILE_SIZE = Math.floor(1024 ** 3 / FILES); // 1 GiB over 10,000 files ≈ 105 KiB each
const dir = process.argv[2] ?? join(tmpdir(), 'tsbuild-bench-context');

function ensureTree(): void {
  if (existsSync(join(dir, '.complete'))) return;
  console.error(`creating ${FILES} files of ${Math.round(FILE_SIZE / 1024)} KiB in ${dir} …`);
  const chunk = randomBytes(Math.ceil(FILE_SIZE));
  for (let i = 0; i < FILES; i++) {
    const sub = join(dir, `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(sub, { recursive: true });
    // Each file differs in its first bytes, so contents do not repeat.
    const body = Buffer.from(chunk);
    body.writeUInt32BE(i, 0);
    writeFileSync(join(sub, `f${i}.bin`), body);
  }
  writeFileSync(join(dir, '.complete'), '');
}

/** Wall time, and this process's CPU time (user + system), which other load on a shared machine inflates less. */
async function hashOnce(statCache: MemoryStatCache): Promise<{ ms: number; cpuMs: number; digest: string }> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const ctx = await openContext({ dir, statCache });
  const digest = await new TreeHasher(ctx, { statCache }).digest('.');
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, digest };
}

ensureTree();
const statCache = new MemoryStatCache();
const first = await hashOnce(statCache);
const second = await hashOnce(statCache);
if (first.digest !== second.digest) throw new Error('digests differ between runs of an unchanged tree');
console.log(`context-hash: ${FILES} files, ~1 GiB`);
const show = (r: { ms: number; cpuMs: number }) => `${(r.ms / 1000).toFixed(3)} s wall, ${(r.cpuMs / 1000).toFixed(3)} s cpu`;
console.log(`  first (cold stat cache):  ${show(first)}`);
console.log(`  second (warm stat cache): ${show(second)}  (target < 0.2 s)`);
