// Per-layer progress of pull, push, load and save: what docker prints as
// `a3ed95caeb02: Downloading [==>   ] 1.2MB/2.1MB`, as events a renderer draws.
import { Transform, type Readable } from 'node:stream';

/** One layer's state: `status` changes (Downloading, Pull complete, …); bytes move within one. */
export interface TransferProgress {
  /** The layer's short digest (12 hex digits), as docker shows it. */
  id: string;
  status: string;
  /** Bytes done and expected, while bytes flow. */
  current?: number;
  total?: number;
}

export type TransferListener = (progress: TransferProgress) => void;

export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

/** `stream`, reporting `status` with the bytes read so far as they pass. */
export function countBytes(stream: Readable, report: (current: number) => void): Readable {
  let current = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      current += chunk.length;
      report(current);
      done(null, chunk);
    },
  });
  stream.on('error', (err) => counter.destroy(err));
  return stream.pipe(counter);
}
