// Runs the public conformance data in ../shared/conformance against tsbuild and prints
// one `N passed, M failed` line per suite. Exits 1 on any failure. The data is read in
// place: it is never copied into this repository.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Suite } from '../test/conformance/suite.js';

const dataDir = resolve(process.env.TSBUILD_CONFORMANCE_DIR ?? new URL('../../shared/conformance', import.meta.url).pathname);

const suites: Record<string, () => Promise<Suite>> = {
  'buildkit-parser': async () => (await import('../test/conformance/buildkit-parser.js')).default,
  'buildkit-shell': async () => (await import('../test/conformance/buildkit-shell.js')).default,
  dockerignore: async () => (await import('../test/conformance/dockerignore.js')).default,
};

if (!existsSync(dataDir)) {
  console.log(`conformance data not found at ${dataDir}: nothing run (set TSBUILD_CONFORMANCE_DIR)`);
  process.exit(0);
}

const verbose = process.argv.includes('--verbose') || process.argv.includes('-v');
let anyFailed = false;
for (const [name, load] of Object.entries(suites)) {
  const result = await (await load())(dataDir);
  anyFailed ||= result.failed > 0;
  console.log(`${name}: ${result.passed} passed, ${result.failed} failed`);
  const shown = verbose ? result.failures : result.failures.slice(0, 20);
  for (const f of shown) console.log(`  FAIL ${f}`);
  if (shown.length < result.failures.length) console.log(`  … ${result.failures.length - shown.length} more (--verbose)`);
}
process.exit(anyFailed ? 1 : 0);
