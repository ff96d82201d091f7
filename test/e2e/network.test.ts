import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, BuildStepError } from '../../src/api.js';
import { freePort } from '../helpers/registry.js';
import { e2eEnv, tsbuild, type E2eEnv } from './helpers.js';

let env: E2eEnv;
let server: Server;
let port: number;
beforeAll(async () => {
  env = await e2eEnv('e2e');
  port = await freePort();
  server = createServer((_req, res) => res.end('served on the host loopback\n'));
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
});
afterAll(async () => {
  await new Promise((done) => server.close(done));
  env?.dispose();
});

describe('the network of RUN steps in a build', () => {
  // In-process builds: the test's server must keep answering while the step runs.
  const fetchFromHost = (): string => {
    const path = join(env.work, 'Dockerfile.fetch');
    writeFileSync(
      path,
      `FROM busybox:latest\nRUN printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 host.docker.internal ${port} > /raw && tail -n 1 /raw > /fetched && rm /raw\n`,
    );
    return path;
  };

  it('reaches a host loopback server with --add-host host.docker.internal:host-gateway, by default network', async () => {
    const dockerfile = fetchFromHost();
    const result = await build({ context: env.context, dockerfile, root: env.root, tags: ['fetched:1'], addHosts: ['host.docker.internal:host-gateway'] });
    expect(result.steps.some((s) => !s.cached)).toBe(true);
    expect(tsbuild(['run', 'fetched:1', 'cat', '/fetched'], { root: env.root }).stdout).toBe('served on the host loopback\n');
  });

  it('gives tsbuild run the same default network and --add-host', () => {
    const out = tsbuild(['run', '--add-host', 'db:10.1.2.3', 'busybox:latest', 'sh', '-c', 'ls /sys/class/net; tail -n 1 /etc/hosts'], { root: env.root });
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe('eth0\nlo\n10.1.2.3\tdb\n');
    const none = tsbuild(['run', '--network', 'none', 'busybox:latest', 'ls', '/sys/class/net'], { root: env.root });
    expect(none.stdout).toBe('lo\n');
  });

  it('cannot reach it without the flag: the name is unknown and the step fails', async () => {
    const dockerfile = fetchFromHost();
    await expect(build({ context: env.context, dockerfile, root: env.root })).rejects.toBeInstanceOf(BuildStepError);
  });

  it('refuses a malformed --add-host as bad usage', () => {
    const out = tsbuild(['build', '--add-host', 'db:not-an-ip', env.context], { root: env.root });
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('invalid IP address in add-host: "not-an-ip"');
  });
});
