// Validates a COPY/ADD request and decides what it copies. Both the copier and the cache
// key start from this plan, so a source the key ignores cannot end up in the layer.
import { dirSourceFs, type SourceFs } from '../context/index.js';
import { PatternMatcher } from '../match/index.js';
import { CopyError } from './errors.js';
import { isGitRef, isUrl, parseChecksum } from './remote.js';
import { expandSources, type CopyItem } from './sources.js';
import type { CopyRequest } from './types.js';
import { posix } from 'node:path';

export interface CopyPlan {
  fs: SourceFs;
  items: CopyItem[];
  urls: string[];
  heredocs: { name: string; content: string }[];
  exclude: PatternMatcher | null;
  /** Absolute dest in the stage, cleaned. */
  destPath: string;
  /** The dest names a directory: trailing slash, `.`, several sources, or --parents. */
  destIsDir: boolean;
}

export type PlanInput = Omit<CopyRequest, 'outDir' | 'parentRoot'>;

export async function planCopy(req: PlanInput): Promise<CopyPlan> {
  const what = req.add === undefined ? 'COPY' : 'ADD';
  const urls = req.sources.filter(isUrl);
  for (const s of req.sources) {
    if (isGitRef(s)) {
      if (what === 'COPY') throw new CopyError(`COPY cannot use the git source ${s}: use ADD`, { usage: true });
      throw new CopyError(`ADD of a git repository is not supported yet (${s}): clone it in a RUN step or into the context`, { usage: true });
    }
  }
  if (what === 'COPY' && urls.length > 0) {
    throw new CopyError(`COPY cannot download ${urls[0]}: use ADD for URLs`, { usage: true });
  }
  if (req.add?.checksum !== undefined) {
    parseChecksum(req.add.checksum);
    if (req.sources.length !== 1 || urls.length !== 1) {
      throw new CopyError('ADD --checksum needs exactly one source, and it must be an http(s) URL', { usage: true });
    }
  }
  const heredocs = req.heredocSources ?? [];
  const count = req.sources.length + heredocs.length;
  const dirLike = req.dest === '' || req.dest.endsWith('/') || /(^|\/)\.\.?$/.test(req.dest);
  if (count > 1 && !dirLike) {
    throw new CopyError(`when using ${what} with more than one source file, the destination must be a directory and end with a /: ${req.dest}`, {
      usage: true,
    });
  }
  let exclude: PatternMatcher | null = null;
  if (req.exclude.length > 0) {
    try {
      exclude = new PatternMatcher(req.exclude);
    } catch (err) {
      throw new CopyError(`invalid --exclude pattern: ${(err as Error).message}`, { usage: true, cause: err });
    }
  }
  const fs = req.from.kind === 'context' ? req.from.context : dirSourceFs(req.from.root);
  const where = req.from.kind === 'context' ? 'the build context' : `the --from source ${req.from.root}`;
  const local = req.sources.filter((s) => !isUrl(s));
  const items = await expandSources(fs, local, { parents: req.parents, exclude, where });
  const destPath = posix.resolve(req.workdir === '' ? '/' : req.workdir, req.dest);
  return { fs, items, urls, heredocs, exclude, destPath, destIsDir: dirLike || req.parents || items.length + urls.length + heredocs.length > 1 };
}
