import { setTimeout as sleep } from 'node:timers/promises';
import { RegistryError } from './errors.js';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** Delay before the first retry; doubled for each further one, with jitter. */
  baseDelayMs: number;
  /** Cap on one delay, `Retry-After` included, so a hostile server cannot park us. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 8_000 };

/**
 * Socket-level failures that a fresh connection may not repeat. A refused connection counts:
 * a registry that restarts refuses connections for a moment, and backoff rides that out.
 */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

export function isTransientNetworkError(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (TRANSIENT_CODES.has((e as NodeJS.ErrnoException).code ?? '')) return true;
  }
  return false;
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Full-jitter-ish exponential backoff: half the nominal delay fixed, half random, so clients spread out. */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const nominal = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return nominal / 2 + (Math.random() * nominal) / 2;
}

function retryAfterMs(res: Response, policy: RetryPolicy): number | undefined {
  const value = res.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), policy.maxDelayMs) : undefined;
}

function describe(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * fetch with bounded retries on connection resets, 5xx and 429 (honouring Retry-After).
 * `init` runs once per attempt so each try gets a fresh body stream and current auth.
 * The last response is returned whatever its status; network failures become `unavailable`.
 */
export async function fetchWithRetry(url: URL, init: () => Promise<RequestInit>, policy: RetryPolicy, what: string): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const last = attempt >= policy.attempts;
    let res: Response;
    try {
      res = await fetch(url, await init());
    } catch (err) {
      if (last || !isTransientNetworkError(err)) {
        if (err instanceof RegistryError) throw err; // from `init`: a token fetch that failed on its own terms
        throw new RegistryError('unavailable', `${what}: ${describe(err)}`, { cause: err });
      }
      await sleep(backoffDelay(policy, attempt - 1));
      continue;
    }
    if (last || !isRetryableStatus(res.status)) return res;
    await res.body?.cancel();
    await sleep(retryAfterMs(res, policy) ?? backoffDelay(policy, attempt - 1));
  }
}
