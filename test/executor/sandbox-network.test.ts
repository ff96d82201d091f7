import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvConf } from '../../src/executor/etc-files.js';
import { parseExtraHost } from '../../src/executor/index.js';
import { USER_NETWORK } from '../../src/executor/user-network.js';
import { freePort } from '../helpers/registry.js';
import { createFixture, isRoot, type Fixture } from './fixture.js';

if (!isRoot) console.warn('skipping sandbox network tests: they need root for namespaces');

const GATEWAY_HOST = parseExtraHost('host.docker.internal:host-gateway');

/** An HTTP GET with busybox nc (bookworm's busybox wget crashes on a refused connection). */
const get = (host: string, port: number): string => `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${host} ${port}`;

describe.skipIf(!isRoot)('the default network of a step', () => {
  let fx: Fixture;
  let server: Server;
  let port: number;
  beforeAll(async () => {
    fx = await createFixture();
    port = await freePort();
    server = createServer((_req, res) => res.end('hello from the host loopback\n'));
    await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  });
  afterAll(async () => {
    await new Promise((done) => server.close(done));
    await fx.cleanup();
  });

  it('has eth0 with a route out through the gateway', async () => {
    const run = await fx.sh('ip -4 -o addr show dev eth0 | tr -s " " | cut -d" " -f4; ip route | grep ^default', { network: 'default' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(new RegExp(`^10\\.0\\.2\\.100/24\ndefault via ${USER_NETWORK.gateway} dev eth0\\s*$`));
  });

  it('reaches a loopback server of the host through the gateway with --add-host host.docker.internal:host-gateway', async () => {
    const run = await fx.sh(`${get('host.docker.internal', port)} | tail -n 1; cat /etc/hosts`, {
      network: 'default',
      extraHosts: [GATEWAY_HOST],
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(
      'hello from the host loopback\n' +
        '127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n' +
        `${USER_NETWORK.gateway}\thost.docker.internal\n`,
    );
  });

  it('does not reach the host loopback without it, through the gateway or its own 127.0.0.1', async () => {
    const run = await fx.sh(`${get(USER_NETWORK.gateway, port)} && echo gateway-open; ${get('127.0.0.1', port)} && echo loopback-open; echo done`, {
      network: 'default',
    });
    expect(run.stdout).toBe('done\n');
    expect(run.stderr).toMatch(/refused|reset/i);
  });

  it('writes --add-host entries to /etc/hosts in order, addresses as given', async () => {
    const hosts = ['db:10.1.2.3', 'v6host:[2001:db8::1]', 'alias=192.0.2.9'].map(parseExtraHost);
    const run = await fx.sh('tail -n 3 /etc/hosts; hostname', { network: 'default', extraHosts: hosts, hostname: 'stephost' });
    expect(run.stdout).toBe('10.1.2.3\tdb\n2001:db8::1\tv6host\n192.0.2.9\talias\nstephost\n');
  });

  it("gives the host's resolv.conf with loopback resolvers replaced by the forwarder", async () => {
    const run = await fx.sh('cat /etc/resolv.conf', { network: 'default' });
    expect(run.stdout).toBe(await resolvConf(false, USER_NETWORK.dns));
    expect(run.stdout).toMatch(/^nameserver /m);
    expect(run.stdout).not.toMatch(/nameserver\s+(127\.|::1)/);
  });

  it('fails the step with a clear error when slirp4netns cannot start', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(fx.sh('echo ran', { network: 'default' })).rejects.toThrow(
        /cannot give the step a network: slirp4netns did not start: .*ENOENT.*install slirp4netns/,
      );
    } finally {
      process.env.PATH = path;
    }
  });

  it('keeps --network none without any route, even with host-gateway asked for', async () => {
    const run = await fx.sh(`ls /sys/class/net; ip route; ${get(USER_NETWORK.gateway, port)} || echo failed`, {
      network: 'none',
      extraHosts: [GATEWAY_HOST],
    });
    expect(run.stdout).toBe('lo\nfailed\n');
    expect(run.stderr).toMatch(/unreachable/i);
  });
});
