// `tsbuild build --check` and the API's check(): the build's inputs checked without building.
import { realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runChecks, type DockerfileCheck } from '../check/index.js';
import { contextFromTarStream, loadIgnoreFile } from '../context/index.js';
import { DockerfileError, sourceLines } from '../frontend/index.js';
import { loadDockerfile, normalizeBuildOptions, type BuildOptions } from '../solver/index.js';
import { openStore, resolveStoreRoot } from '../store/index.js';

/**
 * Checks the Dockerfile a build with `input` would use. Base images are looked up in the
 * store only (nothing is pulled): a stage whose base is not there is checked as if the
 * base set only PATH, and gets no InvalidBaseImagePlatform verdict.
 */
export async function checkBuild(input: BuildOptions): Promise<DockerfileCheck> {
  const options = normalizeBuildOptions(input);
  // A tar context on stdin is unpacked as for a build: it holds the Dockerfile and .dockerignore.
  const tar = options.context === '-' ? await contextFromTarStream(process.stdin) : undefined;
  try {
    const dir = tar ? tar.root : await realpath(resolve(options.context));
    const dockerfile = await loadDockerfile(dir, options);
    const defaultPath = options.dockerfileText === undefined ? join(dir, 'Dockerfile') : null;
    const ignore = tar ? { patterns: tar.ignorePatterns } : await loadIgnoreFile(dir, dockerfile.path ?? defaultPath);
    const lines = sourceLines(dockerfile.text);
    const store = openStore(resolveStoreRoot(options.root !== undefined ? { root: options.root } : {}));
    try {
      const result = await runChecks(dockerfile, options, ignore.patterns, store);
      return { ...result, dockerfile: { name: dockerfile.name, lines } };
    } catch (err) {
      throw err instanceof DockerfileError ? err.withSource(lines) : err;
    } finally {
      store.close();
    }
  } finally {
    await tar?.dispose();
  }
}
