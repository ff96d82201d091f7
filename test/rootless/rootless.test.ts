// Rootless mode, as a new user meets it: real non-root users (one with subordinate ids, one
// without) run the built CLI; root builds the same Dockerfile for comparison.
import { spawnSync } from 'node:child_process';
import { createReadStream, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subordinateRange } from '../../src/rootless/subids.js';
import { readTar } from '../../src/image/tar/index.js';
import { busyboxMissing, busyboxRootfsTar } from '../helpers/busybox-rootfs.js';
import { registryUnavailableReason, startRegistry } from '../helpers/registry.js';
import { copyTsbuild, createUser, nodeFor, removeDir, runAs, sharedTempDir, type RunResult, type TestUser } from './helpers.js';

const isRoot = process.getuid?.() === 0;
const EPOCH = '1700000000';

const DOCKERFILE = `FROM busybox AS build
RUN mkdir -p /out /home/app && echo built > /out/artifact && chown 1000:1000 /out/artifact /home/app \\
 && mknod /out/fifo p && rm /bin/vi && mkdir -p /opq && touch /opq/old
RUN rm -rf /opq && mkdir /opq && touch /opq/new
USER app
WORKDIR /home/app
RUN id -u > uid.txt && touch mine

FROM busybox
COPY --from=build /out /out
COPY --from=build --chown=app:app /home/app /home/app
COPY --from=build /opq /opq
RUN echo "extra:x:2000:app" >> /etc/group
USER app
CMD ["sh", "-c", "echo hello from $(id -un) $(id -G) $(ls /opq) && cat /home/app/uid.txt"]
`;

function expectClean(r: RunResult): void {
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
}

describe.skipIf(!isRoot || busyboxMissing())('rootless tsbuild', () => {
  let dir: string;
  let cli: string;
  let user: TestUser;
  let nosub: TestUser;
  let rootStore: string;
  let node: string;
  const as = (u: TestUser, args: string[], env: Record<string, string> = {}): RunResult => runAs(u, [node, cli, ...args], { cwd: dir, env });
  const asRoot = (args: string[], env: Record<string, string> = {}): RunResult => {
    const out = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, TSBUILD_ROOT: rootStore, ...env } });
    return { status: out.status ?? -1, stdout: out.stdout, stderr: out.stderr };
  };
  const layersOf = (r: RunResult): string[] => (JSON.parse(r.stdout) as { RootFS: { Layers: string[] } }[])[0]!.RootFS.Layers;

  beforeAll(() => {
    dir = sharedTempDir();
    cli = copyTsbuild(join(dir, 'tsbuild'));
    busyboxRootfsTar(join(dir, 'busybox.tar'), dir);
    mkdirSync(join(dir, 'ctx'));
    writeFileSync(join(dir, 'ctx/Dockerfile'), DOCKERFILE);
    spawnSync('chmod', ['-R', 'a+rX', dir]);
    rootStore = join(dir, 'root-store');
    user = createUser('tsbrl', { subids: true });
    nosub = createUser('tsbns', { subids: false });
    node = nodeFor(user, dir);
  });

  afterAll(() => {
    user?.remove();
    nosub?.remove();
    if (dir) removeDir(dir);
  });

  it('imports, builds a multi-stage Dockerfile with chown, mknod and USER, and runs it', () => {
    const imported = as(user, ['import', 'busybox.tar', '-t', 'busybox']);
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    const built = as(user, ['build', '--progress', 'plain', '-t', 'app', 'ctx'], { SOURCE_DATE_EPOCH: EPOCH });
    expectClean(built);
    expect(built.status, built.stderr).toBe(0);
    expect(as(user, ['build', '-q', '--target', 'build', '-t', 'app-build', 'ctx'], { SOURCE_DATE_EPOCH: EPOCH }).status).toBe(0);
    const ran = as(user, ['run', 'app']);
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toBe('hello from app 1000 2000 new\n1000\n');
  });

  it('keeps the store under ~/.local/share/tsbuild, owned by the user and its subordinate ids', () => {
    const store = join(user.home, '.local/share/tsbuild');
    expect(lstatSync(join(store, 'meta.db')).uid).toBe(user.uid);
    const range = subordinateRange('/etc/subuid', user.name, user.uid)!;
    const owners = new Set<number>();
    const walk = (p: string): void => {
      const st = lstatSync(p);
      owners.add(st.uid);
      if (st.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
    };
    walk(store);
    // 0 in the namespace is the user; 1000 (app) is the 1000th subordinate id.
    expect(owners.has(user.uid)).toBe(true);
    expect(owners.has(range.start + 999)).toBe(true);
    for (const uid of owners) expect(uid === user.uid || (uid >= range.start && uid < range.start + range.count)).toBe(true);
  });

  it('saves layers that carry the image’s own ids: 0 and 1000, a fifo and whiteouts', async () => {
    const out = join(dir, 'out');
    mkdirSync(out, { mode: 0o777 });
    spawnSync('chmod', ['777', out]);
    const entriesOf = async (image: string): Promise<{ name: string; uid: number; type: string }[]> => {
      const saved = as(user, ['save', '-o', `out/${image}.tar`, image]);
      expect(saved.status, saved.stderr).toBe(0);
      const unpacked = join(out, image);
      mkdirSync(unpacked);
      spawnSync('tar', ['-xf', join(out, `${image}.tar`), '-C', unpacked]);
      const manifest = JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
      const entries: { name: string; uid: number; type: string }[] = [];
      for (const layer of manifest[0]!.Layers) {
        for await (const { header, body } of readTar(createReadStream(join(unpacked, layer)))) {
          for await (const _ of body) void _;
          entries.push({ name: header.name.replace(/\/$/, ''), uid: header.uid, type: header.type });
        }
      }
      return entries;
    };
    const build = await entriesOf('app-build');
    const find = (entries: typeof build, name: string) => entries.find((e) => e.name === name);
    expect(find(build, 'out/artifact')?.uid).toBe(1000);
    expect(find(build, 'out/fifo')).toMatchObject({ uid: 0, type: 'fifo' });
    expect(find(build, 'home/app/mine')?.uid).toBe(1000);
    expect(find(build, 'bin/.wh.vi')).toBeDefined();
    expect(find(build, 'opq/.wh..wh..opq')).toBeDefined();
    const final = await entriesOf('app');
    expect(find(final, 'bin/busybox')?.uid).toBe(0);
    expect(find(final, 'home/app/uid.txt')?.uid).toBe(1000);
  });

  it('gives the same diff IDs as a root build under SOURCE_DATE_EPOCH', () => {
    expect(asRoot(['import', 'busybox.tar', '-t', 'busybox']).status).toBe(0);
    for (const target of ['build', '']) {
      const args = ['build', '-q', '-t', `cmp-${target || 'final'}`, ...(target ? ['--target', target] : []), 'ctx'];
      const rootBuilt = asRoot(args, { SOURCE_DATE_EPOCH: EPOCH });
      expect(rootBuilt.status, rootBuilt.stderr).toBe(0);
      const userBuilt = as(user, args, { SOURCE_DATE_EPOCH: EPOCH });
      expect(userBuilt.status, userBuilt.stderr).toBe(0);
      const rootLayers = layersOf(asRoot(['inspect', `cmp-${target || 'final'}`]));
      const userLayers = layersOf(as(user, ['inspect', `cmp-${target || 'final'}`]));
      expect(userLayers).toEqual(rootLayers);
      expect(rootLayers.length).toBeGreaterThan(3);
    }
  });

  it('runs with --network host (the host /sys bound read-only) and ignores limits with one warning', () => {
    const host = as(user, ['run', '--network', 'host', 'busybox', 'sh', '-c', 'test -d /sys/class && ! touch /sys/x 2>/dev/null && echo ok']);
    expect(host.stdout, host.stderr).toBe('ok\n');
    writeFileSync(join(dir, 'ctx/Dockerfile.limits'), 'FROM busybox\nRUN echo limited one\nRUN echo limited two\n');
    const limited = as(user, ['build', '--no-cache', '--memory', '64m', '-f', 'ctx/Dockerfile.limits', 'ctx']);
    expect(limited.status, limited.stderr).toBe(0);
    expect(limited.stderr.match(/WARNING: rootless mode without a delegated cgroup v2 subtree/g)).toHaveLength(1);
  });

  it('writes -o type=local output owned by the user', () => {
    const built = as(user, ['build', '-q', '-o', 'type=local,dest=local-out', '--target', 'build', 'ctx']);
    expect(built.status, built.stderr).toBe(0);
    expect(readdirSync(join(dir, 'local-out/opq'))).toEqual(['new']);
    expect(lstatSync(join(dir, 'local-out/out/artifact')).uid).toBe(user.uid);
    expect(lstatSync(join(dir, 'local-out/out/fifo')).isFIFO()).toBe(true);
  });

  it('builds with cache, secret and tmpfs mounts', () => {
    writeFileSync(join(dir, 'secret.txt'), 'sesame\n');
    spawnSync('chmod', ['644', join(dir, 'secret.txt')]);
    writeFileSync(
      join(dir, 'ctx/Dockerfile.mounts'),
      'FROM busybox\nRUN --mount=type=cache,target=/cache,uid=1000 --mount=type=secret,id=s --mount=type=tmpfs,target=/scratch \\\n' +
        ' stat -c %u /cache > /cache-owner && cat /run/secrets/s > /scratch/s && wc -c < /scratch/s > /secret-size\n' +
        'CMD ["cat", "/cache-owner", "/secret-size"]\n',
    );
    const built = as(user, ['build', '-t', 'mounts', '--secret', 'id=s,src=secret.txt', '-f', 'ctx/Dockerfile.mounts', 'ctx']);
    expect(built.status, built.stderr).toBe(0);
    expect(as(user, ['run', 'mounts']).stdout).toBe('1000\n7\n');
  });

  it.skipIf(registryUnavailableReason())('pushes to and pulls from a registry', async () => {
    const registry = await startRegistry();
    try {
      const ref = `${registry.host}/rootless/app:1`;
      expect(as(user, ['tag', 'app', ref]).status).toBe(0);
      const pushed = as(user, ['push', ref]);
      expect(pushed.status, pushed.stderr).toBe(0);
      const other = join(user.home, 'other-store');
      const pulled = as(user, ['pull', '--root', other, ref]);
      expect(pulled.status, pulled.stderr).toBe(0);
      const ran = as(user, ['run', '--root', other, ref]);
      expect(ran.stdout, ran.stderr).toBe('hello from app 1000 2000 new\n1000\n');
    } finally {
      await registry.stop();
    }
  });

  it('builds through the API from a non-root program, with events and typed errors', () => {
    const script = join(dir, 'api-script.mjs');
    writeFileSync(
      script,
      `const { build, BuildStepError } = await import(${JSON.stringify(join(dir, 'tsbuild/dist/api.js'))});
let logs = '';
const result = await build({
  context: 'ctx', tags: ['api-app'], noCache: true, dockerfileText: 'FROM busybox\\nRUN echo api says $(id -u)\\n',
  onEvent: (e) => { if (e.type === 'vertex-log') logs += e.data; },
});
console.log(result.imageId.startsWith('sha256:'), result.tags.join(), JSON.stringify(logs));
try {
  await build({ context: 'ctx', dockerfileText: 'FROM busybox\\nRUN echo failing && exit 3\\n' });
} catch (err) {
  console.log(err instanceof BuildStepError, err.exitCode, err.outputTail.join());
}
`,
    );
    spawnSync('chmod', ['644', script]);
    const r = runAs(user, [node, script], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('true api-app "api says 0\\n"\ntrue 1 failing\n');
  });

  it('prunes and checks its store', () => {
    const removed = as(user, ['rmi', 'app', 'cmp-build']);
    expect(removed.status, removed.stderr).toBe(0);
    const pruned = as(user, ['prune', '--all']);
    expect(pruned.status, pruned.stderr).toBe(0);
    expect(pruned.stdout).toMatch(/[1-9]\d* layer\(s\)/);
    const fsck = as(user, ['fsck']);
    expect(fsck.status, fsck.stderr).toBe(0);
    expect(fsck.stdout).toMatch(/: clean\n$/);
    const images = as(user, ['images', '--json']);
    expect(images.status).toBe(0);
    expect(images.stdout).not.toMatch(/"(cmp-build|app):latest"/);
  });

  it('refuses a device node in a layer with a message, since a user namespace cannot make one', () => {
    const rootfs = join(dir, 'devfs');
    mkdirSync(join(rootfs, 'dev'), { recursive: true });
    spawnSync('mknod', [join(rootfs, 'dev/null'), 'c', '1', '3']);
    spawnSync('tar', ['-C', rootfs, '-cf', join(dir, 'devfs.tar'), '.']);
    spawnSync('chmod', ['644', join(dir, 'devfs.tar')]);
    const r = as(user, ['import', 'devfs.tar', '-t', 'devfs']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'ERROR: layer entry "./dev/null" refused: a char device node (1:3) cannot be created in rootless mode; remove it from the image (RUN steps get /dev from the sandbox) or use tsbuild as root\n',
    );
  });

  it('never shares a store between root and a rootless user', () => {
    const userStore = join(user.home, '.local/share/tsbuild');
    const byRoot = asRoot(['images', '--root', userStore]);
    expect(byRoot.status).toBe(1);
    expect(byRoot.stderr).toMatch(/^ERROR: the store .* belongs to the rootless tsbuild of uid \d+ .* a root tsbuild cannot share it/);
    const byUser = as(user, ['images', '--root', rootStore]);
    expect(byUser.status).toBe(1);
    expect(byUser.stderr).toMatch(/^ERROR: the store .* belongs to a root tsbuild( or another user)?, and this rootless tsbuild cannot share it/);
  });

  it('refuses a user without subordinate ids with one message naming the fix', () => {
    for (const args of [['images'], ['build', 'ctx'], ['run', 'busybox']]) {
      const r = as(nosub, args);
      expect(r.status).toBe(1);
      expectClean(r);
      expect(r.stderr).toMatch(
        new RegExp(
          `^ERROR: user ${nosub.name} has no subordinate ids in /etc/subuid and /etc/subgid: as root, run usermod --add-subuids \\d+-\\d+ --add-subgids \\d+-\\d+ ${nosub.name}\\n$`,
        ),
      );
    }
    const info = as(nosub, ['info']);
    expect(info.status).toBe(1);
    expect(info.stdout).toMatch(/Mode: +rootless, not usable yet:\n {2}- user .* usermod --add-subuids/);
  });

  it('info tells a set-up user what it can use', () => {
    const info = as(user, ['info']);
    expect(info.status, info.stderr).toBe(0);
    expect(info.stdout).toMatch(new RegExp(`^Mode: +rootless \\(${user.name}, uid ${user.uid} is root of a user namespace`));
    expect(info.stdout).toMatch(/^Overlay: +yes overlayfs in a user namespace/m);
    expect(info.stdout).toMatch(/^Networks: +none, host, default$/m);
  });

  it('removes its whole store with tsbuild unshare, subordinate-id files included', () => {
    const store = join(user.home, '.local/share/tsbuild');
    expect(as(user, ['unshare', 'rm', '-rf', store]).status).toBe(0);
    expect(() => lstatSync(store)).toThrow(/ENOENT/);
  });
});
