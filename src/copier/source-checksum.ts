// The COPY/ADD part of a step's cache key: every matched name with where it goes, the
// digest of each matched tree (after --exclude), URL contents, heredoc bodies, and each
// option that changes the result. Hashing names as well as contents means a renamed or
// newly matched file invalidates the step (BuildKit #853, #2008).
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TreeHasher } from '../context/index.js';
import { planCopy, type PlanInput } from './plan.js';
import { download } from './remote.js';

export async function sourceChecksum(req: PlanInput): Promise<string> {
  const plan = await planCopy(req);
  const h = createHash('sha256');
  h.update(
    JSON.stringify({
      v: 1,
      instruction: req.add === undefined ? 'COPY' : 'ADD',
      sources: req.sources,
      dest: plan.destPath,
      destIsDir: plan.destIsDir,
      chown: req.chown ?? null,
      chmod: req.chmod ?? null,
      link: req.link,
      exclude: req.exclude,
      parents: req.parents,
      add: req.add === undefined ? null : { unpack: req.add.unpack ?? null, checksum: req.add.checksum ?? null, keepGitDir: req.add.keepGitDir ?? false },
    }),
  );
  const statCache = req.from.kind === 'context' ? req.from.context.statCache : req.from.statCache;
  const hasher = new TreeHasher(plan.fs, { statCache });
  const filter = plan.exclude === null ? null : { matcher: plan.exclude, base: '' };
  const digests = await Promise.all(plan.items.map((item) => hasher.digest(item.entry.rel, filter)));
  plan.items.forEach((item, i) => h.update(`\nsrc\0${item.source}\0${item.under}\0${item.entry.rel}\0${digests[i]}`));
  hasher.flush();
  for (const url of plan.urls) {
    // A pinned checksum is the content's identity; otherwise the body must be fetched.
    const checksum = req.add?.checksum;
    if (checksum !== undefined) h.update(`\nurl\0${url}\0${checksum}`);
    else {
      const got = await download(url, undefined);
      await rm(dirname(got.file), { recursive: true, force: true });
      h.update(`\nurl\0${url}\0${got.digest}\0${got.mtime?.toISOString() ?? ''}`);
    }
  }
  for (const doc of plan.heredocs) h.update(`\nheredoc\0${doc.name}\0${doc.content.length}\0${doc.content}`);
  return 'sha256:' + h.digest('hex');
}
