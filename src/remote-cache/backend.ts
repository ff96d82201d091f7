import type { Readable } from 'node:stream';
import type { Descriptor } from '../image/index.js';

/** A blob to store: `open` may be called again on a retry, and must restart from byte 0. */
export interface CacheBlob {
  digest: string;
  size: number;
  open(): Readable;
}

/** Where a cache lives (a registry ref, an OCI layout directory): the one interface the import and export use. */
export interface CacheBackend {
  /** For messages and progress: `registry 127.0.0.1:5000/app:cache`, `local /ci/cache`. */
  readonly name: string;
  /** The cache manifest's bytes, or null when nothing is there yet (a first build). */
  readManifest(): Promise<Buffer | null>;
  /** A blob's bytes. Callers verify the digest: the store does for layers, `readSmallBlob` for the config. */
  openBlob(descriptor: Descriptor): Promise<Readable>;
  /** Stores the blobs the backend lacks, then the manifest, so the manifest never names a missing blob. */
  write(manifest: Buffer, blobs: readonly CacheBlob[]): Promise<void>;
}
