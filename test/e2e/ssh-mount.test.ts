// RUN --mount=type=ssh: the step finds the forwarded agent through SSH_AUTH_SOCK, and
// `--ssh default` needs an agent to forward.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnv, repo, type E2eEnv } from './helpers.js';

let env: E2eEnv;
let agent: Server;
let socket: string;
let context: string;
beforeAll(async () => {
  env = await e2eEnv('e2e');
  socket = join(env.work, 'agent.sock');
  agent = createServer((c) => c.end());
  await new Promise<void>((resolve) => agent.listen(socket, resolve));
  context = join(env.work, 'ssh');
  mkdirSync(context);
  writeFileSync(join(context, 'Dockerfile'), 'FROM busybox\nRUN --mount=type=ssh test -S "$SSH_AUTH_SOCK" && echo "$SSH_AUTH_SOCK" > /sock.txt\n');
});
afterAll(async () => {
  await new Promise<void>((resolve) => agent?.close(() => resolve()));
  env?.dispose();
});

function cli(args: string[], sshAuthSock: string | undefined): { status: number | null; stdout: string; stderr: string } {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TSBUILD_ROOT: env.root };
  delete childEnv.SSH_AUTH_SOCK;
  if (sshAuthSock !== undefined) childEnv.SSH_AUTH_SOCK = sshAuthSock;
  return spawnSync(process.execPath, [join(repo, 'bin/tsbuild'), ...args], { env: childEnv, encoding: 'utf8', input: '' });
}

describe('RUN --mount=type=ssh', () => {
  it('sets SSH_AUTH_SOCK in the step to the forwarded agent socket', () => {
    const build = cli(['build', '-q', '--ssh', 'default', '-t', 'ssh:1', context], socket);
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    expect(cli(['run', 'ssh:1', 'cat', '/sock.txt'], undefined).stdout).toBe('/run/buildkit/ssh_agent.0\n');
  });

  it('refuses --ssh default when no agent is set, naming SSH_AUTH_SOCK', () => {
    const build = cli(['build', '-q', '--no-cache', '--ssh', 'default', context], undefined);
    expect(build.status).toBe(2);
    expect(build.stderr).toContain('SSH_AUTH_SOCK is not set');
  });
});
