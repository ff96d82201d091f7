import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startProxy, type ProxyAction, type TestProxy } from './proxy.js';

export interface TokenRequest {
  user: string | undefined;
  scopes: string[];
}

export interface BearerRegistry {
  /** The proxy's `127.0.0.1:PORT`: clients talk to this. */
  host: string;
  username: string;
  password: string;
  /** Every token request the token server answered, in order. */
  tokenRequests: TokenRequest[];
  proxy: TestProxy;
  stop(): Promise<void>;
}

const SERVICE = 'tsbuild-test-registry';

/** The scope a registry request needs: `repository:NAME:pull` for reads, `pull,push` for writes; none for `/v2/`. */
function requiredScope(req: IncomingMessage): string | undefined {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const m = /^\/v2\/(.+?)\/(manifests|blobs|tags)\//.exec(path);
  if (!m) return undefined;
  const read = req.method === 'GET' || req.method === 'HEAD';
  return `repository:${m[1]}:${read ? 'pull' : 'pull,push'}`;
}

function covers(granted: Set<string>, needed: string): boolean {
  const [type, name, actions] = needed.split(':');
  return actions!.split(',').every((a) => granted.has(`${type}:${name}:${a}`));
}

/**
 * A registry behind Docker-style token auth, which docker-registry cannot do alone: a token
 * server (anyone gets pull, the one user also gets push) and a proxy that lets through only
 * requests whose Bearer token covers their scope, answering others with the challenge.
 */
export async function startBearerRegistry(registryUrl: string): Promise<BearerRegistry> {
  const username = 'bearer-user';
  const password = randomBytes(9).toString('base64url');
  const grants = new Map<string, Set<string>>();
  const tokenRequests: TokenRequest[] = [];

  const tokenServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const [user, pass] = basic ? Buffer.from(basic[1]!, 'base64').toString().split(':') : [];
    if (url.searchParams.get('service') !== SERVICE || (user !== undefined && (user !== username || pass !== password))) {
      res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    const scopes = url.searchParams.getAll('scope');
    tokenRequests.push({ user, scopes });
    const granted = new Set<string>();
    for (const scope of scopes) {
      const [type, name, actions] = scope.split(':');
      for (const action of actions?.split(',') ?? []) {
        if (action === 'pull' || user) granted.add(`${type}:${name}:${action}`);
      }
    }
    const token = randomBytes(16).toString('hex');
    grants.set(token, granted);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
  const realm = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/token`;

  const proxy = await startProxy(registryUrl, (req): ProxyAction => {
    const needed = requiredScope(req);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const granted = token === undefined ? undefined : grants.get(token);
    if (granted && (!needed || covers(granted, needed))) return { kind: 'forward' };
    const scope = needed ? `,scope="${needed}"` : '';
    return {
      kind: 'respond',
      status: 401,
      headers: { 'www-authenticate': `Bearer realm="${realm}",service="${SERVICE}"${scope}`, 'content-type': 'application/json' },
      body: '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
    };
  });

  return {
    host: proxy.host,
    username,
    password,
    tokenRequests,
    proxy,
    stop: async () => {
      await proxy.stop();
      await new Promise<void>((resolve) => {
        tokenServer.closeAllConnections();
        tokenServer.close(() => resolve());
      });
    },
  };
}
