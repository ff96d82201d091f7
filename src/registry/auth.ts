import type { Credentials } from './docker-config.js';
import { RegistryError } from './errors.js';
import { fetchWithRetry, type RetryPolicy } from './retry.js';
import { parseChallenges, type Challenge } from './www-authenticate.js';

interface CachedToken {
  header: string;
  expiresAt: number;
}

/** Tokens without `expires_in` live 60 s by the token spec; renew a little early so one never dies in flight. */
const DEFAULT_TOKEN_SECONDS = 60;
const EXPIRY_MARGIN_MS = 5_000;

export interface AuthorizerOptions {
  host: string;
  /** Resolved at most once, on the first challenge that needs it. */
  credentials: () => Promise<Credentials | undefined>;
  retry: RetryPolicy;
}

function basicHeader({ username, password }: Credentials): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function scopeKey(scopes: readonly string[]): string {
  return [...new Set(scopes)].sort().join(' ');
}

/**
 * Answers registry challenges for one host. The first request of a kind goes out
 * anonymously; a 401 tells us the scheme. After that, Basic credentials are sent up front
 * and Bearer tokens are fetched (anonymously or with credentials) and cached per scope set
 * until they expire, so later requests, streamed uploads included, need no second round trip.
 */
export class Authorizer {
  readonly #opts: AuthorizerOptions;
  #scheme: 'basic' | 'bearer' | undefined;
  #bearer: { realm: string; service: string | undefined } | undefined;
  #credentials: Promise<Credentials | undefined> | undefined;
  readonly #tokens = new Map<string, CachedToken>();
  /** Token fetches in flight, so parallel layer requests share one instead of each asking. */
  readonly #fetching = new Map<string, Promise<string>>();

  constructor(opts: AuthorizerOptions) {
    this.#opts = opts;
  }

  /** The `Authorization` value for a request needing `scopes`, if the registry has asked for one. */
  async authorization(scopes: readonly string[]): Promise<string | undefined> {
    if (this.#scheme === 'basic') {
      const creds = await this.#creds();
      return creds && basicHeader(creds);
    }
    if (this.#scheme === 'bearer') {
      const cached = this.#tokens.get(scopeKey(scopes));
      if (cached && cached.expiresAt > Date.now()) return cached.header;
      return this.#token(scopes);
    }
    return undefined;
  }

  /**
   * Learns from a 401's `WWW-Authenticate`; `sent` is the Authorization the refused request
   * carried. Returns whether retrying can help: not when the same Basic credentials were just
   * refused, nor when we have none to offer. Concurrent requests may all meet the first
   * challenge, so the answer depends on what each one sent, not on what we knew before.
   */
  async challenge(header: string | null, scopes: readonly string[], sent: string | undefined): Promise<boolean> {
    const challenges = parseChallenges(header ?? '');
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    if (bearer) {
      this.#scheme = 'bearer';
      this.#bearer = { realm: bearer.params.realm!, service: bearer.params.service };
      await this.#token(scopes, bearer);
      return true;
    }
    const creds = challenges.some((c) => c.scheme === 'basic') ? await this.#creds() : undefined;
    if (!creds) return false;
    this.#scheme = 'basic';
    return sent !== basicHeader(creds);
  }

  #creds(): Promise<Credentials | undefined> {
    this.#credentials ??= this.#opts.credentials();
    return this.#credentials;
  }

  #token(scopes: readonly string[], challenge?: Challenge): Promise<string> {
    const key = scopeKey(scopes);
    let pending = this.#fetching.get(key);
    if (!pending) {
      pending = this.#fetchToken(scopes, challenge).finally(() => this.#fetching.delete(key));
      this.#fetching.set(key, pending);
    }
    return pending;
  }

  /** Fetches a token for `scopes` plus whatever the challenge names, per the Docker token spec (GET). */
  async #fetchToken(scopes: readonly string[], challenge?: Challenge): Promise<string> {
    const { realm, service } = this.#bearer!;
    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    const wanted = new Set(scopes);
    for (const s of challenge?.params.scope?.split(' ') ?? []) if (s) wanted.add(s);
    for (const s of [...wanted].sort()) url.searchParams.append('scope', s);
    const creds = await this.#creds();
    const what = `token for ${this.#opts.host}`;
    const headers: Record<string, string> = creds ? { authorization: basicHeader(creds) } : {};
    const res = await fetchWithRetry(url, async () => ({ headers }), this.#opts.retry, what);
    if (!res.ok) {
      await res.body?.cancel();
      const reason = res.status === 401 || res.status === 403 ? 'unauthorized' : 'protocol';
      const hint = creds ? 'check the username and password' : `log in with \`tsbuild login ${this.#opts.host}\``;
      throw new RegistryError(reason, `${what}: the token server answered ${res.status}; ${hint}`, { status: res.status });
    }
    const body = (await res.json()) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError('protocol', `${what}: the token server sent no token`);
    const seconds = body.expires_in && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    const header = `Bearer ${token}`;
    this.#tokens.set(scopeKey(scopes), { header, expiresAt: Date.now() + seconds * 1000 - EXPIRY_MARGIN_MS });
    return header;
  }
}
