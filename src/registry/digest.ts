import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { Digest } from '../image/index.js';
import { RegistryError } from './errors.js';

const DIGEST_RE = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(text: string): text is Digest {
  return DIGEST_RE.test(text);
}

function hasherFor(digest: Digest): Hash {
  return createHash(digest.slice(0, digest.indexOf(':')));
}

/** The digest of `bytes` computed with the same algorithm as `like`, so sha512 refs verify too. */
export function digestLike(like: Digest, bytes: Uint8Array): Digest {
  const alg = like.slice(0, like.indexOf(':'));
  return `${alg}:${hasherFor(like).update(bytes).digest('hex')}`;
}

/**
 * Passes bytes through while hashing them. A stream that ends with the wrong digest or
 * size ends in an error instead of `end`, so a consumer that commits only on a clean end
 * (the store's ingest) never keeps unverified data. More bytes than `size` fail early.
 */
export class VerifyingStream extends Transform {
  readonly #hash: Hash;
  #seen = 0;

  constructor(
    private readonly expected: Digest,
    private readonly size?: number,
    private readonly what = expected,
  ) {
    super();
    this.#hash = hasherFor(expected);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.size !== undefined && this.#seen > this.size) {
      done(new RegistryError('size-mismatch', `${this.what}: got more than the expected ${this.size} bytes`));
      return;
    }
    this.#hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.size !== undefined && this.#seen !== this.size) {
      done(new RegistryError('size-mismatch', `${this.what}: got ${this.#seen} bytes, expected ${this.size}`));
      return;
    }
    const actual = `${this.expected.slice(0, this.expected.indexOf(':'))}:${this.#hash.digest('hex')}`;
    if (actual !== this.expected) {
      done(new RegistryError('digest-mismatch', `${this.what}: content has digest ${actual}, expected ${this.expected}`));
      return;
    }
    done();
  }
}
