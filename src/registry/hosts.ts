/** The registry name Docker Hub images carry in references (`docker.io/library/busybox`). */
export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's distribution API actually lives. */
export const DOCKER_HUB_ENDPOINT = 'registry-1.docker.io';
/** The key Docker Hub credentials are stored under in config.json, kept for compatibility with `docker login`. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

const HUB_ALIASES = new Set([DOCKER_HUB, 'index.docker.io', DOCKER_HUB_ENDPOINT]);

/** Folds the spellings of Docker Hub into `docker.io`; other hosts are only lowercased. */
export function canonicalHost(host: string): string {
  const h = host.toLowerCase();
  return HUB_ALIASES.has(h) ? DOCKER_HUB : h;
}

function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/** Loopback registries are test or dev registries; Docker also talks plain http to them. */
function isLoopback(host: string): boolean {
  const name = hostname(host.toLowerCase());
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/**
 * Base URL of a registry's API: https, except for loopback hosts and hosts named in
 * `insecureRegistries` (`--insecure-registry`), which get plain http.
 */
export function registryBaseUrl(host: string, insecureRegistries: readonly string[] = []): URL {
  const canonical = canonicalHost(host);
  const endpoint = canonical === DOCKER_HUB ? DOCKER_HUB_ENDPOINT : canonical;
  const insecure = isLoopback(canonical) || insecureRegistries.some((h) => canonicalHost(h) === canonical);
  return new URL(`${insecure ? 'http' : 'https'}://${endpoint}/`);
}
