import { createHash } from 'node:crypto';
import { copyToLayer, type CopyRequest } from '../copier/index.js';
import type { CopyStep } from '../frontend/index.js';
import { canonicalJson } from './cache-key.js';
import { writeDirectLayer } from './direct-layer.js';
import type { LayerContext } from './step-context.js';

/** The copier's request for a COPY/ADD step, without the parts that need mounts. */
export async function copySource(ctx: LayerContext, step: CopyStep): Promise<CopyRequest['from']> {
  return step.from ? { kind: 'dir', root: await ctx.rootfs(step.from) } : { kind: 'context', context: ctx.context };
}

export function copyOptions(step: CopyStep): Omit<CopyRequest, 'from' | 'parentRoot' | 'outDir'> {
  return {
    sources: step.sources,
    heredocSources: step.heredocSources.map((h) => ({ name: h.name, content: h.content })),
    dest: step.dest,
    workdir: step.workdir,
    link: step.link,
    exclude: step.exclude,
    parents: step.parents,
    ...(step.chown !== undefined ? { chown: step.chown } : {}),
    ...(step.chmod !== undefined ? { chmod: step.chmod } : {}),
    ...(step.isAdd ? { add: { unpack: step.unpack, checksum: step.checksum, keepGitDir: step.keepGitDir } } : {}),
  };
}

/** Copies the step's sources into a fresh layer dir (no sandbox) and commits it on top of `parent`. */
export async function executeCopy(ctx: LayerContext, step: CopyStep, parent: string | null): Promise<string> {
  const { store } = ctx;
  const from = await copySource(ctx, step);
  const options = copyOptions(step);
  // The last result of this same COPY (same options, parent and source root): files that did
  // not change are hard-linked from it instead of copied. Reading the record holds that
  // snapshot on this build's lease, so prune cannot remove it meanwhile.
  const lineage = `lineage:${createHash('sha256')
    .update(canonicalJson({ options, parent, source: from.kind === 'context' ? from.context.root : from.root }))
    .digest('hex')}`;
  const previous = store.getCacheRecord(lineage)?.chainId ?? null;
  const reuseDir = previous !== null && store.hasSnapshot(previous) ? store.snapshotDir(previous) : undefined;
  const chainId = await writeDirectLayer(ctx, parent, ({ outDir, parentRoot }) =>
    copyToLayer({ ...options, from, parentRoot, outDir, ...(reuseDir ? { reuseDir } : {}) }),
  );
  store.putCacheRecord({ key: lineage, chainId, configDelta: null });
  return chainId;
}
