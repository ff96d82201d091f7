import type { Readable } from 'node:stream';
import type { Authorizer } from './auth.js';
import { RegistryError, type RegistryErrorReason } from './errors.js';
import { fetchWithRetry, type RetryPolicy } from './retry.js';

export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  /** Token scopes the request needs, e.g. `repository:library/busybox:pull`. */
  scopes: readonly string[];
  headers?: Record<string, string>;
  /** Made once per attempt, so a streamed body can be re-opened after a 401 or a retry. */
  body?: () => Buffer | Readable;
  /** Statuses that count as success; any other becomes a RegistryError. */
  ok: readonly number[];
  /** Off for requests whose repetition the caller manages itself (upload chunks). */
  retry?: boolean;
  /** Names the object in error messages: `manifest library/busybox:latest`. */
  what: string;
}

interface ErrorBody {
  errors?: { code?: string; message?: string }[];
}

const NOT_FOUND_CODES = new Set(['BLOB_UNKNOWN', 'MANIFEST_UNKNOWN', 'NAME_UNKNOWN', 'BLOB_UPLOAD_UNKNOWN']);

function reasonFor(status: number, codes: string[]): RegistryErrorReason {
  if (status === 401 || codes.includes('UNAUTHORIZED')) return 'unauthorized';
  if (status === 403 || codes.includes('DENIED')) return 'denied';
  if (status === 404 || codes.some((c) => NOT_FOUND_CODES.has(c))) return 'not-found';
  if (status === 429 || status >= 500) return 'unavailable';
  return 'protocol';
}

/** One registry host: every request goes through here for auth, retries and error mapping. */
export class Transport {
  constructor(
    readonly host: string,
    readonly baseUrl: URL,
    private readonly authorizer: Authorizer,
    readonly retryPolicy: RetryPolicy,
  ) {}

  /** `path` is relative to the API root, e.g. `v2/library/busybox/manifests/latest`. */
  url(path: string): URL {
    return new URL(path, this.baseUrl);
  }

  async request(req: RegistryRequest): Promise<Response> {
    const policy = req.retry === false ? { ...this.retryPolicy, attempts: 1 } : this.retryPolicy;
    for (let challenged = false; ; challenged = true) {
      let sent: string | undefined;
      const init = async (): Promise<RequestInit> => {
        const headers = { ...req.headers };
        sent = await this.authorizer.authorization(req.scopes);
        if (sent) headers.authorization = sent;
        const body = req.body?.();
        return body ? { method: req.method, headers, body, duplex: 'half' } : { method: req.method, headers };
      };
      const res = await fetchWithRetry(req.url, init, policy, req.what);
      if (req.ok.includes(res.status)) return res;
      if (res.status === 401 && !challenged) {
        await res.body?.cancel();
        if (await this.authorizer.challenge(res.headers.get('www-authenticate'), req.scopes, sent)) continue;
        throw this.#error(req, 401, []);
      }
      throw await this.#responseError(req, res);
    }
  }

  async #responseError(req: RegistryRequest, res: Response): Promise<RegistryError> {
    let body: ErrorBody = {};
    if (req.method !== 'HEAD') {
      try {
        body = JSON.parse(await res.text()) as ErrorBody;
      } catch {
        // Not the OCI error JSON (a proxy's HTML page, say); the status alone has to do.
      }
    } else {
      await res.body?.cancel();
    }
    const errors = Array.isArray(body.errors) ? body.errors : [];
    return this.#error(req, res.status, errors);
  }

  #error(req: RegistryRequest, status: number, errors: { code?: string; message?: string }[]): RegistryError {
    const codes = errors.map((e) => e.code ?? '');
    const reason = reasonFor(status, codes);
    const detail = errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
    let message = `${req.what}: ${req.method} ${req.url.pathname} answered ${status}${detail ? ` (${detail})` : ''}`;
    if (reason === 'unauthorized') message += `; log in with \`tsbuild login ${this.host}\``;
    return new RegistryError(reason, message, { status });
  }
}
