import { resolve } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * A `--build-context NAME=…` value, classified once when options are normalized: a
 * directory (absolute path) or an image reference. Nothing after that tests prefixes.
 */
export type NamedContext = { kind: 'dir'; path: string } | { kind: 'image'; ref: string };

const IMAGE_PREFIX = 'docker-image://';

export function parseNamedContext(name: string, value: string): NamedContext {
  if (value.startsWith(IMAGE_PREFIX)) {
    const ref = value.slice(IMAGE_PREFIX.length);
    if (ref === '') throw new UsageError(`--build-context ${name}=${value}: the image reference is empty; write ${name}=docker-image://NAME:TAG`);
    return { kind: 'image', ref };
  }
  if (value === '') throw new UsageError(`--build-context ${name}= needs a directory or docker-image://REF`);
  return { kind: 'dir', path: resolve(value) };
}

export function parseNamedContexts(values: Record<string, string>): Record<string, NamedContext> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, parseNamedContext(name, value)]));
}
