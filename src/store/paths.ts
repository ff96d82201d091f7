import { join } from 'node:path';
import { StoreError } from './errors.js';

/** Where each kind of store content lives under the root. */
export interface StorePaths {
  db: string;
  blobs: string;
  /** Blob writes in progress (one file per writer, named after its pid). */
  ingest: string;
  snapshots: string;
  /** Short symlinks to snapshot dirs, so overlay lowerdir options stay short. */
  links: string;
  /** Work dirs handed to builds and importers; same filesystem as snapshots so commits are renames. */
  tmp: string;
  /** Content being deleted: moved here atomically, then removed outside any transaction. */
  trash: string;
  cacheMounts: string;
  /** Lock files (flock) of cache mounts used with sharing=locked; a lock dies with its process. */
  locks: string;
  /** Always empty: the lowerdir for FROM scratch. */
  empty: string;
  /** Mount points of read-only views of snapshot chains, named by their owner process (`tempName()`). */
  views: string;
}

export function storePaths(root: string): StorePaths {
  return {
    db: join(root, 'meta.db'),
    blobs: join(root, 'blobs', 'sha256'),
    ingest: join(root, 'ingest'),
    snapshots: join(root, 'snapshots'),
    links: join(root, 'l'),
    tmp: join(root, 'tmp'),
    trash: join(root, 'trash'),
    cacheMounts: join(root, 'cache-mounts'),
    locks: join(root, 'locks'),
    empty: join(root, 'empty'),
    views: join(root, 'views'),
  };
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** The hex part of a digest, checked first: digests from archives become file names. */
export function digestHex(digest: string): string {
  if (!DIGEST_RE.test(digest)) throw new StoreError(`invalid digest "${digest}": expected sha256:<64 hex>`);
  return digest.slice('sha256:'.length);
}

export function blobPathOf(paths: StorePaths, digest: string): string {
  return join(paths.blobs, digestHex(digest));
}
