// Records the expected trees of testdata/copy-cases from a real BuildKit (Debian's docker.io
// daemon, started by ../shared/peers/buildkit.sh). For each case marked `source: buildkit`
// it builds a setup stage (the parent filesystem) and the COPY/ADD on top, exports both,
// and keeps what the instruction changed plus its parent dirs. Run:
//   DOCKER_HOST=$(sh ../shared/peers/buildkit.sh) npx tsx test/copier/record-buildkit.ts [case…]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCases, materialize, readTree, type CopyCase, type FixtureEntry, type TreeEntry } from './fixtures.js';

const casesDir = new URL('../../testdata/copy-cases/', import.meta.url).pathname;
const only = process.argv.slice(2);

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function setupCommands(parent: FixtureEntry[]): string[] {
  return parent.map((e) => {
    const p = shellQuote(e.path);
    const own = `chown -h ${e.uid ?? 0}:${e.gid ?? 0} ${p}`;
    if (e.type === 'symlink') return `ln -s ${shellQuote(e.target ?? '')} ${p} && ${own}`;
    const mode = (e.mode ?? (e.type === 'dir' ? 0o755 : 0o644)).toString(8);
    // A Dockerfile line cannot hold newlines: contents travel escaped through printf %b.
    const escaped = (e.content ?? '').replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
    const make = e.type === 'dir' ? `mkdir -p ${p}` : `printf '%b' ${shellQuote(escaped)} > ${p}`;
    return `${make} && chmod ${mode} ${p} && ${own}`;
  });
}

function instruction(c: CopyCase): string {
  const flags: string[] = [];
  if (c.op.chown !== undefined) flags.push(`--chown=${c.op.chown}`);
  if (c.op.chmod !== undefined) flags.push(`--chmod=${c.op.chmod}`);
  if (c.op.link === true) flags.push('--link');
  for (const x of c.op.exclude ?? []) flags.push(`--exclude=${x}`);
  if (c.op.parents === true) flags.push('--parents');
  return [c.op.instruction, ...flags, JSON.stringify([...c.op.sources, c.op.dest])].join(' ');
}

function exportStage(dir: string, dockerfile: string, target: string, out: string): { ok: boolean; log: string } {
  const tarPath = join(out, '..', `${target}.tar`);
  const r = spawnSync(
    '/usr/bin/docker',
    ['build', '--no-cache', '--network', 'none', '-f', dockerfile, '--target', target, '-o', `type=tar,dest=${tarPath}`, dir],
    {
      env: { ...process.env, DOCKER_BUILDKIT: '1' },
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) return { ok: false, log: r.stderr };
  execFileSync('mkdir', ['-p', out]);
  execFileSync('tar', ['-xf', tarPath, '-C', out, '--same-owner', '--same-permissions', '--numeric-owner']);
  return { ok: true, log: '' };
}

function same(a: TreeEntry, b: TreeEntry): boolean {
  return a.type === b.type && a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.sha256 === b.sha256 && a.target === b.target;
}

/** Entries the instruction added or changed, plus every parent directory of those. */
function changed(before: TreeEntry[], after: TreeEntry[]): TreeEntry[] {
  const old = new Map(before.map((e) => [e.path, e]));
  const byPath = new Map(after.map((e) => [e.path, e]));
  const keep = new Set<string>();
  for (const e of after) {
    const prev = old.get(e.path);
    if (prev !== undefined && same(prev, e)) continue;
    keep.add(e.path);
    for (let p = e.path; p.includes('/');) {
      p = p.slice(0, p.lastIndexOf('/'));
      keep.add(p);
    }
  }
  return [...keep].sort().map((p) => byPath.get(p) as TreeEntry);
}

for (const c of loadCases(casesDir)) {
  if (c.source !== 'buildkit' || (only.length > 0 && !only.includes(c.name))) continue;
  const work = mkdtempSync(join(tmpdir(), 'tsbuild-record-'));
  try {
    const ctx = join(work, 'ctx');
    await materialize(ctx, c.context);
    const lines = ['FROM busybox AS setup'];
    const setup = setupCommands(c.parent);
    if (setup.length > 0) lines.push(`RUN ${setup.join(' && ')}`);
    if (c.op.workdir !== undefined && c.op.workdir !== '/') lines.push(`WORKDIR ${c.op.workdir}`);
    lines.push('FROM setup AS result', instruction(c), '');
    const dockerfile = join(work, 'Dockerfile');
    writeFileSync(dockerfile, lines.join('\n'));
    const before = exportStage(ctx, dockerfile, 'setup', join(work, 'setup'));
    if (!before.ok) throw new Error(`setup of ${c.name} failed:\n${before.log}`);
    const after = exportStage(ctx, dockerfile, 'result', join(work, 'result'));
    delete c.expected;
    delete c.buildkitError;
    if (after.ok) {
      c.expected = changed(readTree(join(work, 'setup')), readTree(join(work, 'result')));
      if (c.expectedError !== undefined) console.log(`WARNING ${c.name}: BuildKit succeeded where an error is expected`);
    } else {
      const msg = /ERROR: (.*)|error: (.*)/.exec(after.log);
      c.buildkitError = (msg?.[1] ?? msg?.[2] ?? after.log).trim();
      if (c.expectedError === undefined) console.log(`WARNING ${c.name}: BuildKit failed where a tree is expected`);
    }
    writeFileSync(join(casesDir, `${c.name}.json`), JSON.stringify(c, null, 1) + '\n');
    console.log(`${c.name}: ${after.ok ? `${c.expected?.length} entries` : `error: ${c.buildkitError}`}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
