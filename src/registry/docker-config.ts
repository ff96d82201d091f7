import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { credentialsFromHelper } from './credential-helper.js';
import { RegistryError } from './errors.js';
import { canonicalHost, DOCKER_HUB, DOCKER_HUB_AUTH_KEY } from './hosts.js';

export interface Credentials {
  username: string;
  password: string;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  [key: string]: unknown;
}

interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

/** Directory holding config.json: `dir` if given, else `$DOCKER_CONFIG`, else `~/.docker` (as the docker CLI). */
export function dockerConfigDir(dir?: string): string {
  return dir ?? process.env.DOCKER_CONFIG ?? join(homedir(), '.docker');
}

async function readConfig(dir: string): Promise<DockerConfigFile> {
  const file = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new RegistryError('bad-docker-config', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text) as DockerConfigFile;
  } catch (err) {
    throw new RegistryError('bad-docker-config', `${file} is not valid JSON (${(err as Error).message}); fix or remove it`, { cause: err });
  }
}

/**
 * Keys in `auths` are written as hosts or URLs (`https://ghcr.io`, `https://index.docker.io/v1/`);
 * docker compares them by host alone, and so do we.
 */
function keyHost(key: string): string {
  const bare = key.replace(/^[a-z]+:\/\//i, '');
  const slash = bare.indexOf('/');
  return canonicalHost(slash === -1 ? bare : bare.slice(0, slash));
}

function decodeEntry(entry: AuthEntry): Credentials | undefined {
  if (entry.auth) {
    const text = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon > 0) return { username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  if (entry.username && entry.password !== undefined) return { username: entry.username, password: entry.password };
  return undefined;
}

/**
 * Credentials for `host` the way the docker CLI finds them: a per-host `credHelpers` entry,
 * else the `credsStore` helper, else the `auths` entry in the file itself.
 */
export async function readCredentials(host: string, configDir?: string): Promise<Credentials | undefined> {
  const config = await readConfig(dockerConfigDir(configDir));
  const wanted = canonicalHost(host);
  const helper = Object.entries(config.credHelpers ?? {}).find(([key]) => keyHost(key) === wanted)?.[1] ?? config.credsStore;
  if (helper) {
    const fromHelper = await credentialsFromHelper(helper, wanted === DOCKER_HUB ? DOCKER_HUB_AUTH_KEY : wanted);
    if (fromHelper) return fromHelper;
  }
  const auths = config.auths ?? {};
  for (const [key, entry] of Object.entries(auths)) {
    if (keyHost(key) === wanted) {
      const creds = decodeEntry(entry);
      if (creds) return creds;
    }
  }
  return undefined;
}

/**
 * Stores (or with `undefined`, removes) the credentials for `host`, keeping every other
 * key of the file. The file is written to a temp name with mode 0600 and renamed, so a
 * crash never leaves a half-written or world-readable config. Returns whether anything changed.
 */
export async function writeCredentials(host: string, creds: Credentials | undefined, configDir?: string): Promise<boolean> {
  const dir = dockerConfigDir(configDir);
  const config = await readConfig(dir);
  const auths = { ...(config.auths ?? {}) };
  const wanted = canonicalHost(host);
  const existing = Object.keys(auths).filter((key) => keyHost(key) === wanted);
  for (const key of existing) delete auths[key];
  if (creds) {
    const key = wanted === DOCKER_HUB ? DOCKER_HUB_AUTH_KEY : wanted;
    auths[key] = { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') };
  } else if (existing.length === 0) {
    return false;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'config.json');
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ ...config, auths }, null, '\t')}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600); // the umask may have narrowed `mode`, never widened it; be explicit anyway
  await rename(tmp, file);
  return true;
}
