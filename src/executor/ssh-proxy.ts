import { chmod, chown } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';

export interface SshProxyOptions {
  /** The host's agent socket. */
  upstream: string;
  /** Where to listen; this socket is what the sandbox sees. */
  path: string;
  mode: number;
  uid: number;
  gid: number;
}

/**
 * Serves the agent on a socket of its own, so that the step's mode and owner apply to that
 * socket and never to the user's real agent socket, which a bind mount would expose.
 */
export async function startSshProxy(options: SshProxyOptions): Promise<{ close(): Promise<void> }> {
  const server: Server = createServer((client) => {
    const agent = connect(options.upstream);
    client.pipe(agent).pipe(client);
    client.on('error', () => agent.destroy());
    agent.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.path, () => resolve());
  });
  await chmod(options.path, options.mode);
  await chown(options.path, options.uid, options.gid);
  return {
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
