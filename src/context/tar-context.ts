// `docker build -`: stdin is either a (possibly compressed) tar of the context, which is
// extracted safely into a temp dir, or a bare Dockerfile, which becomes a context holding
// only that Dockerfile (Docker's behaviour).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { openTar } from './archive-stream.js';
import { openContext, type BuildContext } from './build-context.js';
import { ContextError } from './errors.js';
import { extractTarSafely } from './safe-extract.js';
import type { StatCache } from './stat-cache.js';

export interface TarContextOptions {
  /** Dockerfile path inside the tar (default `Dockerfile`), or '-' when it comes from elsewhere. */
  dockerfile?: string;
  statCache?: StatCache;
}

/** Builds a context from stdin; `dispose()` removes the temp dir. */
export async function contextFromTarStream(stream: Readable, opts: TarContextOptions = {}): Promise<BuildContext> {
  const dir = await mkdtemp(join(tmpdir(), 'tsbuild-context-'));
  try {
    const probe = await openTar(stream);
    if (probe.tar !== null) {
      await extractTarSafely(probe.tar, { dest: dir });
    } else if (probe.original !== null) {
      await writeFile(join(dir, 'Dockerfile'), await readAll(probe.original));
    } else {
      throw new ContextError('stdin is compressed but holds no tar archive: pipe a tar of the context, or a Dockerfile');
    }
    const dockerfile = opts.dockerfile === '-' ? '-' : join(dir, opts.dockerfile ?? 'Dockerfile');
    const ctx = await openContext({ dir, dockerfile, statCache: opts.statCache });
    return { ...ctx, dispose: () => rm(dir, { recursive: true, force: true }) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    if (err instanceof ContextError) throw err;
    throw new ContextError(`cannot read the build context from stdin: ${(err as Error).message}`, { cause: err });
  }
}

/** Reads a Dockerfile given on stdin (`-f -`). */
export async function readDockerfileStream(stream: Readable): Promise<string> {
  return (await readAll(stream)).toString('utf8');
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}
