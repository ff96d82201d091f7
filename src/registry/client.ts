import type { Readable } from 'node:stream';
import { MEDIA_TYPES, type Descriptor, type Digest, type ImageIndex } from '../image/index.js';
import { formatPlatform, hostPlatform, type Platform } from '../platform.js';
import { Authorizer } from './auth.js';
import { downloadBlob } from './blob-download.js';
import { sha256Digest } from '../fs/index.js';
import { digestLike, isDigest } from './digest.js';
import { readCredentials, type Credentials } from './docker-config.js';
import { RegistryError } from './errors.js';
import { canonicalHost, registryBaseUrl } from './hosts.js';
import { selectPlatform } from '../platform-match.js';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
import { Transport } from './transport.js';
import { blobExists, pushBlob, type BlobSource, type PushBlobOptions, type PushBlobResult } from './upload.js';

export interface RegistryClientOptions {
  /** Registry host as written in image references: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  host: string;
  /** Credentials to use; when absent they are read from the Docker config file on the first challenge. */
  credentials?: Credentials;
  /** Directory holding config.json; defaults to `$DOCKER_CONFIG`, then `~/.docker`. */
  dockerConfig?: string;
  /** Hosts reached over plain http (`--insecure-registry`); loopback hosts always are. */
  insecureRegistries?: readonly string[];
  /** Retries on 5xx, 429 and connection resets. */
  retry?: Partial<RetryPolicy>;
  /** Blobs larger than this are uploaded in PATCH chunks of this size. Default 32 MiB. */
  chunkSize?: number;
}

/** A manifest as the registry sent it: its bytes are what its digest covers, so keep them as they are. */
export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: Digest;
}

/** The image manifest chosen for a platform, and the index it was chosen from when the ref named one. */
export interface ResolvedManifest extends FetchedManifest {
  index?: FetchedManifest;
}

/** Manifests larger than this are refused before parsing; real ones are a few KiB (containerd uses the same cap). */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const DEFAULT_CHUNK_SIZE = 32 * 1024 * 1024;
const ALL_MANIFEST_TYPES = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest];
const INDEX_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList]);

const pullScope = (repo: string): string[] => [`repository:${repo}:pull`];

/** An OCI distribution client for one registry host. Repositories are paths such as `library/busybox`. */
export class RegistryClient {
  readonly host: string;
  readonly #transport: Transport;
  readonly #chunkSize: number;

  constructor(opts: RegistryClientOptions) {
    this.host = canonicalHost(opts.host);
    const retry = { ...DEFAULT_RETRY, ...opts.retry };
    const authorizer = new Authorizer({
      host: this.host,
      credentials: async () => opts.credentials ?? readCredentials(this.host, opts.dockerConfig),
      retry,
    });
    this.#transport = new Transport(this.host, registryBaseUrl(this.host, opts.insecureRegistries), authorizer, retry);
    this.#chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  }

  /** `GET /v2/`: checks the registry speaks the API and that our credentials (if it wants any) are accepted. */
  async ping(): Promise<void> {
    const url = this.#transport.url('v2/');
    const res = await this.#transport.request({ method: 'GET', url, scopes: [], ok: [200], what: `registry ${this.host}` });
    await res.body?.cancel();
  }

  /** Fetches a manifest by tag or digest. A digest ref is verified against the bytes; a tag is checked against `Docker-Content-Digest`. */
  async getManifest(repo: string, ref: string, opts: { accept?: readonly string[] } = {}): Promise<FetchedManifest> {
    const what = `manifest ${repo}:${ref}`;
    const res = await this.#transport.request({
      method: 'GET',
      url: this.#transport.url(`v2/${repo}/manifests/${ref}`),
      scopes: pullScope(repo),
      headers: { accept: (opts.accept ?? ALL_MANIFEST_TYPES).join(', ') },
      ok: [200],
      what,
    });
    if (Number(res.headers.get('content-length') ?? 0) > MAX_MANIFEST_BYTES) {
      await res.body?.cancel();
      throw new RegistryError('protocol', `${what}: larger than ${MAX_MANIFEST_BYTES} bytes`);
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length > MAX_MANIFEST_BYTES) throw new RegistryError('protocol', `${what}: larger than ${MAX_MANIFEST_BYTES} bytes`);
    const expected = isDigest(ref) ? ref : res.headers.get('docker-content-digest');
    const digest = expected && isDigest(expected) ? digestLike(expected, bytes) : sha256Digest(bytes);
    if (expected && isDigest(expected) && digest !== expected) {
      throw new RegistryError('digest-mismatch', `${what}: content has digest ${digest}, expected ${expected}`);
    }
    return { bytes, digest, mediaType: manifestMediaType(res.headers.get('content-type'), bytes) };
  }

  /**
   * Fetches the image manifest for `platform` (default: the host's): when `ref` names an
   * index or manifest list, the matching entry is fetched by digest.
   */
  async resolveManifest(repo: string, ref: string, opts: { platform?: Platform } = {}): Promise<ResolvedManifest> {
    const top = await this.getManifest(repo, ref);
    if (!INDEX_TYPES.has(top.mediaType)) return top;
    const platform = opts.platform ?? hostPlatform();
    const index = JSON.parse(top.bytes.toString('utf8')) as ImageIndex;
    const chosen = selectPlatform(index.manifests ?? [], platform);
    if (!chosen) {
      const offered = (index.manifests ?? []).flatMap((m: Descriptor) => (m.platform ? [formatPlatform(m.platform)] : []));
      const message = `${repo}:${ref} has no image for ${formatPlatform(platform)} (it has ${offered.join(', ') || 'none'})`;
      throw new RegistryError('no-matching-platform', message);
    }
    const manifest = await this.getManifest(repo, chosen.digest);
    if (manifest.bytes.length !== chosen.size) {
      throw new RegistryError('size-mismatch', `manifest ${repo}@${chosen.digest}: got ${manifest.bytes.length} bytes, the index says ${chosen.size}`);
    }
    return { ...manifest, index: top };
  }

  /** Whether the repository holds the blob (`HEAD`). */
  async hasBlob(repo: string, digest: Digest): Promise<boolean> {
    return blobExists(this.#transport, repo, digest);
  }

  /**
   * Streams a blob, verifying as it goes: a wrong digest or size makes the stream end in an
   * error instead of `end`, so consumers must only trust data once the stream has finished.
   */
  async getBlob(repo: string, digest: Digest, opts: { size?: number } = {}): Promise<Readable> {
    return downloadBlob(this.#transport, { repo, digest, ...opts });
  }

  /** Uploads a blob unless the repository already has it; see `PushBlobOptions` for mounting and resuming. */
  async pushBlob(repo: string, blob: BlobSource, opts: PushBlobOptions = {}): Promise<PushBlobResult> {
    return pushBlob({ transport: this.#transport, repo, chunkSize: this.#chunkSize }, blob, opts);
  }

  /** Stores a manifest under a tag or its digest and returns its digest. */
  async putManifest(repo: string, ref: string, bytes: Buffer, mediaType: string): Promise<Digest> {
    const digest = sha256Digest(bytes);
    if (isDigest(ref) && ref !== digest) throw new RegistryError('digest-mismatch', `manifest for ${repo}@${ref} has digest ${digest}`);
    const what = `manifest ${repo}:${ref}`;
    const res = await this.#transport.request({
      method: 'PUT',
      url: this.#transport.url(`v2/${repo}/manifests/${ref}`),
      scopes: [`repository:${repo}:pull,push`],
      headers: { 'content-type': mediaType },
      body: () => bytes,
      ok: [201, 204],
      what,
    });
    await res.body?.cancel();
    const stored = res.headers.get('docker-content-digest');
    if (stored && stored !== digest) {
      throw new RegistryError('digest-mismatch', `${what}: the registry stored ${stored}, we sent ${digest}`);
    }
    return digest;
  }
}

/** Content-Type names the manifest kind; old registries send `application/json`, so fall back to the body's own `mediaType`. */
function manifestMediaType(contentType: string | null, bytes: Buffer): string {
  const header = contentType?.split(';')[0]?.trim();
  if (header && header !== 'application/json' && header !== 'text/plain') return header;
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: string; manifests?: unknown };
    if (parsed.mediaType) return parsed.mediaType;
    return parsed.manifests ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest;
  } catch {
    throw new RegistryError('protocol', `manifest is not JSON (content type ${contentType ?? 'none'})`);
  }
}
