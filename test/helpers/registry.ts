import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

export const REGISTRY_BIN = '/usr/bin/docker-registry';
const HTPASSWD_BIN = '/usr/bin/htpasswd';

/** Why registry tests cannot run here, or undefined when they can. */
export function registryUnavailableReason(): string | undefined {
  if (!existsSync(REGISTRY_BIN)) return `${REGISTRY_BIN} is not installed (apt-get install docker-registry)`;
  if (!existsSync(HTPASSWD_BIN)) return `${HTPASSWD_BIN} is not installed (apt-get install apache2-utils)`;
  return undefined;
}

export interface TestRegistry {
  /** `127.0.0.1:PORT`, as an image reference names the registry. */
  host: string;
  url: string;
  /** Filesystem storage root, for tests that tamper with stored blobs. */
  storageDir: string;
  username?: string;
  password?: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Polls `/v2/` (at most ~10 s) until our registry answers: the distribution header tells
 * it apart from another process that took the port first. False when the child exited.
 */
async function waitForApi(url: string, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) return false;
    try {
      const res = await fetch(`${url}/v2/`);
      await res.body?.cancel();
      if (res.headers.get('docker-distribution-api-version') === 'registry/2.0') return true;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`docker-registry did not answer on ${url} within 10 s`);
}

/** Where docker-registry's filesystem driver keeps a blob's bytes. */
export function blobDataPath(storageDir: string, digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return join(storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
}

/**
 * Runs a real docker-registry (distribution v2) on a free loopback port with temp
 * filesystem storage and deletes enabled; with `auth: 'htpasswd'` it demands Basic auth
 * for a generated user. `stop()` kills it and removes the storage.
 */
export async function startRegistry(opts: { auth?: 'htpasswd' } = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'tsbuild-registry-'));
  const storageDir = join(dir, 'storage');
  const creds = opts.auth === 'htpasswd' ? { username: 'tester', password: randomBytes(9).toString('base64url') } : undefined;
  let authYaml = '';
  if (creds) {
    const { stdout } = await promisify(execFile)(HTPASSWD_BIN, ['-Bbn', creds.username, creds.password]);
    await writeFile(join(dir, 'htpasswd'), stdout);
    authYaml = `auth:\n  htpasswd:\n    realm: tsbuild-test\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  let stderr = '';
  // The free port can be taken before the registry binds it (tests run in parallel): try another.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const config = [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${storageDir}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      `  secret: ${randomBytes(16).toString('hex')}`,
      authYaml,
    ].join('\n');
    await writeFile(join(dir, 'config.yml'), config);
    const child = spawn(REGISTRY_BIN, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const kill = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
    };
    const url = `http://127.0.0.1:${port}`;
    let up: boolean;
    try {
      up = await waitForApi(url, child);
    } catch (err) {
      await kill();
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
    if (up) {
      const stop = async (): Promise<void> => {
        await kill();
        await rm(dir, { recursive: true, force: true });
      };
      return { host: `127.0.0.1:${port}`, url, storageDir, ...creds, stop };
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`docker-registry failed to start 3 times: ${stderr}`);
}
