import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

export interface DockerfileSource {
  /** Name shown in errors (`Dockerfile:7`). */
  name: string;
  /** Absolute path, when the Dockerfile is a file (for `<Dockerfile>.dockerignore`). */
  path?: string;
  text: string;
}

/** Reads the Dockerfile: given text, `-f FILE`, or CONTEXT/Dockerfile falling back to CONTEXT/dockerfile. */
export async function loadDockerfile(contextDir: string, opts: { dockerfile?: string; dockerfileText?: string }): Promise<DockerfileSource> {
  if (opts.dockerfileText !== undefined) return { name: 'Dockerfile', text: opts.dockerfileText };
  const candidates = opts.dockerfile !== undefined ? [resolve(opts.dockerfile)] : [join(contextDir, 'Dockerfile'), join(contextDir, 'dockerfile')];
  for (const path of candidates) {
    try {
      // One synchronous read: a small file costs less than a thread-pool round trip.
      return { name: basename(path), path, text: readFileSync(path, 'utf8') };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new UsageError(`no Dockerfile at ${candidates[0]}: create one, or point to it with -f FILE`);
}
