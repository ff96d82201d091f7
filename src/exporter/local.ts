import { lchown, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { inUserNamespace } from '../rootless/index.js';
import { writeFilesystems } from './filesystem.js';
import type { Exporter, OutputSpec } from './types.js';

/** The image's filesystem written into the directory `dest` (one directory per platform for several). */
export const localExporter: Exporter<Extract<OutputSpec, { type: 'local' }>> = {
  async export(output, target) {
    const dest = resolve(output.dest);
    await writeFilesystems(target, dest);
    // Rootless: the files belong to the user who asked for them, not to subordinate ids.
    if (inUserNamespace()) await ownAll(dest);
    return {};
  },
};

/** Hands `dir` and everything below it to the namespace's root, which is the calling user on the host. */
async function ownAll(dir: string): Promise<void> {
  await lchown(dir, 0, 0);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await ownAll(path);
    else await lchown(path, 0, 0);
  }
}
