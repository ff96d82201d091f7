// The shape of src/: every folder has an index.ts that opens with its job, imports across
// folders go through that index, and folders do not import each other in a cycle. What
// still breaks a rule is recorded in deep-imports.json: a new entry fails, and so does a
// recorded one that is gone (delete it from the list, which only shrinks).
// Re-record after a deliberate change: TSBUILD_RECORD_ARCH=1 npx vitest run test/architecture
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = new URL('../..', import.meta.url).pathname;
const listFile = new URL('./deep-imports.json', import.meta.url).pathname;

interface Recorded {
  deepImports: string[];
  folderCycles: string[];
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? [p, ...walk(p)] : [p];
  });
}

const entries = walk(join(repo, 'src')).map((p) => relative(repo, p));
const folders = entries.filter((p) => statSync(join(repo, p)).isDirectory());
const sources = entries.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'));

const SPEC = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** `src/<folder>/…` → folder; files directly in src/ (errors.ts, platform.ts, …) are shared by all. */
function folderOf(path: string): string | null {
  const parts = path.split('/');
  return parts.length > 2 ? parts[1]! : null;
}

const edges: { from: string; to: string }[] = [];
for (const file of sources) {
  for (const m of readFileSync(join(repo, file), 'utf8').matchAll(SPEC)) {
    const target = posix.normalize(posix.join(posix.dirname(file), m[1]!)).replace(/\.js$/, '.ts');
    edges.push({ from: file, to: target });
  }
}

function deepImports(): string[] {
  const out = new Set<string>();
  for (const { from, to } of edges) {
    const a = folderOf(from);
    const b = folderOf(to);
    if (b === null || a === b || to === `src/${b}/index.ts`) continue;
    out.add(`${from} -> ${to}`);
  }
  return [...out].sort();
}

/** Strongly connected groups of folders (Tarjan), each as `a <-> b <-> c`. */
function folderCycles(): string[] {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const a = folderOf(from);
    const b = folderOf(to);
    if (a === null || b === null || a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort().join(' <-> '));
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return groups.sort();
}

const current: Recorded = { deepImports: deepImports(), folderCycles: folderCycles() };
if (process.env.TSBUILD_RECORD_ARCH === '1') writeFileSync(listFile, JSON.stringify(current, null, 2) + '\n');
const recorded: Recorded = existsSync(listFile) ? (JSON.parse(readFileSync(listFile, 'utf8')) as Recorded) : { deepImports: [], folderCycles: [] };

describe('the folders of src/', () => {
  it('each have an index.ts that opens with a comment saying their job', () => {
    const missing = folders.filter((dir) => {
      const index = join(repo, dir, 'index.ts');
      if (!existsSync(index)) return true;
      const lead = readFileSync(index, 'utf8')
        .split('\n')
        .filter((line, i, all) => all.slice(0, i + 1).every((l) => l.startsWith('//')));
      return lead.length < 3;
    });
    expect(missing).toEqual([]);
  });

  it('import each other through index.ts, except the recorded deep imports', () => {
    const added = current.deepImports.filter((d) => !recorded.deepImports.includes(d));
    const gone = recorded.deepImports.filter((d) => !current.deepImports.includes(d));
    expect({ added, gone }, 'new deep imports: import through the folder index.ts; gone: delete them from deep-imports.json').toEqual({
      added: [],
      gone: [],
    });
  });

  it('form no import cycle, except the recorded ones', () => {
    expect(current.folderCycles).toEqual(recorded.folderCycles);
  });
});
