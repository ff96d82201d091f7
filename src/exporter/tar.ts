import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { withFilesystemTar } from './filesystem.js';
import type { Exporter, OutputSpec } from './types.js';

/** The image's filesystem as one tar file at `dest`. */
export const tarExporter: Exporter<Extract<OutputSpec, { type: 'tar' }>> = {
  export: (output, target) => withFilesystemTar(target, (tar) => pipeline(tar, createWriteStream(resolve(output.dest)))),
};
