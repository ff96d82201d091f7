import { RegistryClient } from './client.js';
import { writeCredentials } from './docker-config.js';

export interface LoginOptions {
  /** Directory holding config.json; defaults to `$DOCKER_CONFIG`, then `~/.docker`. */
  dockerConfig?: string;
  /** Hosts reached over plain http (`--insecure-registry`). */
  insecureRegistries?: readonly string[];
}

/**
 * Checks the credentials against the registry (as `docker login` does, so a typo fails
 * now rather than at the next push), then stores them in config.json with mode 0600.
 */
export async function login(host: string, username: string, password: string, opts: LoginOptions = {}): Promise<void> {
  const client = new RegistryClient({ host, credentials: { username, password }, insecureRegistries: opts.insecureRegistries });
  await client.ping();
  await writeCredentials(host, { username, password }, opts.dockerConfig);
}

/** Forgets the credentials stored for `host`; returns false when there were none. */
export async function logout(host: string, opts: Pick<LoginOptions, 'dockerConfig'> = {}): Promise<boolean> {
  return writeCredentials(host, undefined, opts.dockerConfig);
}
