// What .dockerignore took out of a directory of the context: a RUN bind mount of the
// context shows the directory on disk, so these paths are hidden from the step.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildContext } from './build-context.js';
import { joinRel } from './source-fs.js';

/**
 * Paths (relative to `dir`, a clean relative path of a directory in the context) that are on
 * disk under it but not in the context. An excluded directory is one path: nothing under
 * it is listed, unless an exception re-included part of it.
 */
export async function excludedUnder(ctx: BuildContext, dir: string): Promise<string[]> {
  if (ctx.ignorePatterns.length === 0) return [];
  const hidden: string[] = [];
  const prefix = dir === '.' ? '' : `${dir}/`;
  const queue = [dir];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    const kept = new Map((await ctx.children(next)).map((e) => [e.rel, e]));
    for (const name of readdirSync(join(ctx.root, next))) {
      const rel = joinRel(next, name);
      const entry = kept.get(rel);
      if (entry === undefined) hidden.push(rel.slice(prefix.length));
      else if (entry.type === 'dir') queue.push(rel);
    }
  }
  return hidden.sort();
}
