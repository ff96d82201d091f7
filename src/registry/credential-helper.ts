import { spawn } from 'node:child_process';
import type { Credentials } from './docker-config.js';
import { RegistryError } from './errors.js';

/** docker-credential-* helpers answer this (on stdout, exit 1) when they hold nothing for the server. */
const NOT_FOUND = 'credentials not found';
const HELPER_TIMEOUT_MS = 30_000;

/**
 * Asks `docker-credential-<helper> get` for a server's credentials, as the docker CLI does
 * for `credsStore` and `credHelpers` (desktop, pass, osxkeychain, ecr-login…). Undefined when
 * the helper has none or is not installed; identity tokens (`<token>` user) are not usable with Basic or the GET
 * token flow, so they count as none.
 */
export async function credentialsFromHelper(helper: string, serverUrl: string): Promise<Credentials | undefined> {
  const program = `docker-credential-${helper}`;
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], timeout: HELPER_TIMEOUT_MS });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, stdout: out, stderr: err }));
    child.stdin.end(serverUrl);
  }).catch((err: unknown) => {
    // A config copied from a desktop machine names helpers that are not installed here;
    // like an empty store, that leaves the `auths` entries and anonymous access.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RegistryError('unauthorized', `credential helper ${program} could not run: ${(err as Error).message}`, { cause: err });
  });
  if (!result) return undefined;
  const { code, stdout, stderr } = result;
  if (code !== 0) {
    if (`${stdout}${stderr}`.toLowerCase().includes(NOT_FOUND)) return undefined;
    throw new RegistryError('unauthorized', `credential helper ${program} failed for ${serverUrl}: ${(stderr || stdout).trim()}`);
  }
  const parsed = JSON.parse(stdout) as { Username?: string; Secret?: string };
  if (!parsed.Username || parsed.Secret === undefined || parsed.Username === '<token>') return undefined;
  return { username: parsed.Username, password: parsed.Secret };
}
