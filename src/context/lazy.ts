// Entry points for archive handling (stdin contexts, ADD of a tar), loaded on first call: a
// build from a directory never needs the tar reader, and every module costs startup time.
import type { Readable } from 'node:stream';
import type { TarProbe } from './archive-stream.js';
import type { BuildContext } from './build-context.js';
import type { TarContextOptions } from './tar-context.js';

export async function contextFromTarStream(stream: Readable, opts: TarContextOptions = {}): Promise<BuildContext> {
  return (await import('./tar-context.js')).contextFromTarStream(stream, opts);
}

export async function readDockerfileStream(stream: Readable): Promise<string> {
  return (await import('./tar-context.js')).readDockerfileStream(stream);
}

export async function openTar(stream: Readable): Promise<TarProbe> {
  return (await import('./archive-stream.js')).openTar(stream);
}

export async function extractTarSafely(
  ...args: Parameters<typeof import('./safe-extract.js').extractTarSafely>
): ReturnType<typeof import('./safe-extract.js').extractTarSafely> {
  return (await import('./safe-extract.js')).extractTarSafely(...args);
}
