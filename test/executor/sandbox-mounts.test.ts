import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, isRoot, type Fixture } from './fixture.js';

if (!isRoot) console.warn('skipping sandbox mount tests: they need root for namespaces and mounts');

describe.skipIf(!isRoot)('sandbox mounts', () => {
  let fx: Fixture;
  let src: string;
  beforeAll(async () => {
    fx = await createFixture();
    src = join(fx.dir, 'context');
    await mkdir(join(src, 'dir'), { recursive: true });
    await writeFile(join(src, 'dir/a'), 'A');
    await writeFile(join(src, 'file'), 'F');
  });
  afterAll(() => fx.cleanup());

  it('binds read-only by default', async () => {
    const run = await fx.sh('cat /src/dir/a; echo x > /src/dir/a 2>/dev/null || echo readonly', {
      mounts: [{ type: 'bind', source: src, target: '/src', readonly: true }],
    });
    expect(run.stdout).toBe('Areadonly\n');
    expect(await readdir(run.upper)).toEqual([]);
  });

  it('discards writes to a read-write bind of a directory or a file', async () => {
    const run = await fx.sh('echo changed > /src/dir/a; touch /src/new; echo changed > /one; cat /src/dir/a /one', {
      mounts: [
        { type: 'bind', source: src, target: '/src', readonly: false },
        { type: 'bind', source: join(src, 'file'), target: '/one', readonly: false },
      ],
    });
    expect(run.stdout).toBe('changed\nchanged\n');
    expect(await readFile(join(src, 'dir/a'), 'utf8')).toBe('A');
    expect(await readFile(join(src, 'file'), 'utf8')).toBe('F');
    expect(await readdir(src)).toEqual(['dir', 'file']);
    expect(await readdir(run.upper)).toEqual([]);
  });

  it('keeps a cache mount’s content across steps and out of the layer', async () => {
    const cache = join(fx.dir, 'cache-1');
    await mkdir(cache);
    const mounts = [{ type: 'cache' as const, source: cache, target: '/root/.cache/pkg', readonly: false }];
    const first = await fx.sh('echo $((1 + $(cat /root/.cache/pkg/n 2>/dev/null || echo 0))) > /root/.cache/pkg/n', { mounts });
    const second = await fx.sh('echo $((1 + $(cat /root/.cache/pkg/n))) > /root/.cache/pkg/n; cat /root/.cache/pkg/n', { mounts });
    expect(second.stdout).toBe('2\n');
    expect(await readdir(first.upper)).toEqual([]);
    expect(await readdir(second.upper)).toEqual([]);
  });

  it('mounts a tmpfs with its size limit', async () => {
    const run = await fx.sh('df -k /scratch | tail -1 | awk "{print \\$2}"; dd if=/dev/zero of=/scratch/big bs=1k count=2048 2>/dev/null || echo full', {
      mounts: [{ type: 'tmpfs', target: '/scratch', size: 1024 * 1024 }],
    });
    expect(run.stdout).toBe('1024\nfull\n');
    expect(await readdir(run.upper)).toEqual([]);
  });

  it('exposes a secret as a file with its owner and mode, and as an env var, never in the layer', async () => {
    const content = Buffer.from('s3cr3t\0with-nul');
    const run = await fx.sh('stat -c "%a %u %g" /run/secrets/token; od -c /run/secrets/token | head -1; echo "$TOKEN"; mount | grep secrets', {
      mounts: [
        { type: 'secret', target: '/run/secrets/token', content, mode: 0o440, uid: 1000, gid: 50 },
        { type: 'secret', env: 'TOKEN', content: Buffer.from('envsecret'), mode: 0o400, uid: 0, gid: 0 },
      ],
    });
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('440 1000 50');
    expect(lines[1]).toMatch(/s\s+3\s+c\s+r\s+3\s+t\s+\\0\s+w/);
    expect(lines[2]).toBe('envsecret');
    expect(lines[3]).toMatch(/tmpfs/);
    expect(await readdir(run.upper)).toEqual([]);
  });

  it('serves the SSH agent on a socket with the step’s owner and mode', async () => {
    const agentDir = join(fx.dir, 'agent');
    await mkdir(agentDir);
    const socket = join(agentDir, 'agent.sock');
    fx.installTool('unix-cat');
    const agent = createServer((conn) => conn.end('agent says hi\n'));
    await new Promise<void>((resolve) => agent.listen(socket, resolve));
    try {
      const run = await fx.sh('stat -c "%a %u" /run/buildkit/ssh_agent.0; unix-cat /run/buildkit/ssh_agent.0', {
        mounts: [{ type: 'ssh', target: '/run/buildkit/ssh_agent.0', socket, mode: 0o600, uid: 1000, gid: 1000 }],
      });
      expect(run.stdout).toBe('600 1000\nagent says hi\n');
      expect((await stat(socket)).uid).toBe(0);
      expect(await readdir(run.upper)).toEqual([]);
    } finally {
      await new Promise((resolve) => agent.close(resolve));
    }
  });

  it('mounts nested targets parents first', async () => {
    const cache = join(fx.dir, 'cache-2');
    await mkdir(cache);
    const run = await fx.sh('ls /src; ls /src/dir/cache && echo cached', {
      mounts: [
        { type: 'cache', source: cache, target: '/src/dir/cache', readonly: false },
        { type: 'bind', source: src, target: '/src', readonly: false },
      ],
    });
    expect(run.stdout).toBe('dir\nfile\ncached\n');
    expect(await readdir(join(src, 'dir'))).toEqual(['a']);
  });
});
