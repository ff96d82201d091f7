import { createServer, request, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with one request: pass it on, answer it itself, or drop the connection. */
export type ProxyAction =
  | { kind: 'forward' }
  | { kind: 'respond'; status: number; headers?: OutgoingHttpHeaders; body?: string | Buffer }
  | { kind: 'reset' }
  /** Forwards, but drops the connection after `after` bytes of the response body. */
  | { kind: 'truncate'; after: number };

export interface TestProxy {
  host: string;
  url: string;
  /** `METHOD /path` of every request seen, in order. */
  requests: string[];
  stop(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of a test registry that lets a test fail chosen requests
 * (5xx, 429, resets) or demand auth the registry itself cannot (Bearer). The Host header is
 * passed through, so the registry's upload Locations point back at the proxy.
 */
export async function startProxy(target: string, decide: (req: IncomingMessage) => ProxyAction): Promise<TestProxy> {
  const requests: string[] = [];
  const targetUrl = new URL(target);
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const action = decide(req);
    if (action.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (action.kind === 'respond') {
      req.resume();
      res.writeHead(action.status, action.headers).end(action.body);
      return;
    }
    const upstream = request({ host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      if (action.kind !== 'truncate') {
        up.pipe(res);
        return;
      }
      let left = action.after;
      up.on('data', (chunk: Buffer) => {
        if (left <= 0) return;
        res.write(chunk.subarray(0, left));
        left -= chunk.length;
        if (left <= 0) {
          up.destroy();
          // Let the partial body reach the client before the connection goes.
          setTimeout(() => res.socket?.destroy(), 20);
        }
      });
      up.on('end', () => res.end());
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
