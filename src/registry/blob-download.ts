import { pipeline, Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Digest } from '../image/index.js';
import { VerifyingStream } from './digest.js';
import { RegistryError } from './errors.js';
import { backoffDelay, isTransientNetworkError } from './retry.js';
import type { Transport } from './transport.js';

/**
 * Streams a blob, verified as it flows. When the connection drops mid-body, the rest is
 * asked for with `Range: bytes=N-` (a bounded number of times); a registry that ignores
 * Range sends it all again and the part we have is skipped. The first request is made
 * before returning, so a missing blob or a refusal rejects here rather than in the stream.
 */
export async function downloadBlob(transport: Transport, { repo, digest, size }: { repo: string; digest: Digest; size?: number }): Promise<Readable> {
  const what = `blob ${repo}@${digest}`;
  const url = transport.url(`v2/${repo}/blobs/${digest}`);
  const scopes = [`repository:${repo}:pull`];
  const first = await transport.request({ method: 'GET', url, scopes, ok: [200], what });

  async function* bytes(): AsyncGenerator<Uint8Array> {
    let res = first;
    let received = 0;
    for (let retry = 0; ; retry++) {
      let skip = res.status === 206 ? 0 : received;
      try {
        if (!res.body) return;
        for await (const chunk of Readable.fromWeb(res.body as WebReadableStream<Uint8Array>)) {
          const part = skip > 0 ? (chunk as Buffer).subarray(Math.min(skip, chunk.length)) : (chunk as Buffer);
          skip -= chunk.length - part.length;
          received += part.length;
          if (part.length > 0) yield part;
        }
        return;
      } catch (err) {
        if (!isTransientNetworkError(err) || retry + 1 >= transport.retryPolicy.attempts) {
          throw new RegistryError('unavailable', `${what}: the download broke off after ${received} bytes`, { cause: err });
        }
      }
      await sleep(backoffDelay(transport.retryPolicy, retry));
      res = await transport.request({ method: 'GET', url, scopes, headers: { range: `bytes=${received}-` }, ok: [200, 206], what });
    }
  }

  const verifier = new VerifyingStream(digest, size, what);
  // pipeline destroys the source when the consumer gives up, and forwards its errors into verifier.
  pipeline(Readable.from(bytes(), { objectMode: false }), verifier, () => {});
  return verifier;
}
