// Docker image references, normalized the way the Docker CLI does (distribution/reference):
// `busybox` is `docker.io/library/busybox:latest`, `host:5000/a/b:t` keeps its registry,
// and `name@sha256:…` pins a manifest.
import { TsbuildError } from '../errors.js';

export class InvalidReferenceError extends TsbuildError {
  readonly code = 'invalid-reference';
  readonly exitCode = 2;
}

export interface ImageReference {
  /** Registry host[:port]; `docker.io` for Docker Hub. */
  domain: string;
  /** Repository path, e.g. `library/busybox`. */
  path: string;
  /** Tag; `latest` when neither a tag nor a digest was given. */
  tag?: string;
  digest?: string;
}

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DOMAINS = new Set(['index.docker.io', 'registry-1.docker.io']);
const COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_RE =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
const MAX_NAME = 255;

function invalid(text: string, why: string): InvalidReferenceError {
  return new InvalidReferenceError(`invalid reference "${text}": ${why}`);
}

/** Splits the first component off as a registry when it looks like one (has `.` or `:`, or is localhost). */
function splitDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (slash < 0 || (!first.includes('.') && !first.includes(':') && first !== 'localhost' && first.toLowerCase() === first)) {
    return [DEFAULT_DOMAIN, name];
  }
  return [first, name.slice(slash + 1)];
}

/** Parses and normalizes a reference; throws InvalidReferenceError naming what is wrong. */
export function parseReference(text: string): ImageReference {
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) throw invalid(text, 'digest must be sha256:<64 lowercase hex>');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) throw invalid(text, 'tags are up to 128 of [A-Za-z0-9_.-], not starting with . or -');
  }
  if (rest === '') throw invalid(text, 'repository name is empty');
  let [domain, path] = splitDomain(rest);
  if (LEGACY_DOMAINS.has(domain)) domain = DEFAULT_DOMAIN;
  if (!DOMAIN_RE.test(domain)) throw invalid(text, `bad registry host "${domain}"`);
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  if (path !== path.toLowerCase()) throw invalid(text, 'repository name must be lowercase');
  for (const component of path.split('/')) {
    if (!COMPONENT_RE.test(component)) throw invalid(text, `bad path component "${component}"`);
  }
  if (`${domain}/${path}`.length > MAX_NAME) throw invalid(text, `repository name is longer than ${MAX_NAME} characters`);
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { domain, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** `docker.io/library/busybox` */
export function repositoryName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The full normalized form: `docker.io/library/busybox:latest`. */
export function formatReference(ref: ImageReference): string {
  return `${repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The short form people type and Docker prints: `busybox`, `user/app`, `host:5000/a/b`. */
export function familiarRepository(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  return ref.path.startsWith('library/') && ref.path.split('/').length === 2 ? ref.path.slice('library/'.length) : ref.path;
}

/** `busybox:latest`, as in `docker images` and RepoTags. */
export function familiarReference(ref: ImageReference): string {
  return `${familiarRepository(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** Normalizes a name for use as a tag: it must name a tag, not a digest. */
export function normalizeTagName(text: string): string {
  const ref = parseReference(text);
  if (ref.digest !== undefined) throw invalid(text, 'a tag cannot contain a digest');
  return formatReference(ref);
}
