// Multi-platform builds with real arm64 binaries under QEMU user-mode emulation: one OCI index
// read back by skopeo and umoci, the BUILDPLATFORM stage run once natively, cache keys per
// platform, the index pushed to a local registry, and the message when no emulator is registered.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildEvent } from '../../src/api.js';
import { importRootfs } from '../../src/transfer/import-rootfs.js';
import type { ImageIndex, ImageManifest } from '../../src/image/oci-types.js';
import { openStore } from '../../src/store/index.js';
import { arm64Missing, arm64RootfsTar } from '../helpers/arm64-rootfs.js';
import { busyboxRootfsDir } from '../helpers/busybox-rootfs.js';
import { registryUnavailableReason, startRegistry, type TestRegistry } from '../helpers/registry.js';
import { repo, skopeo, tsbuild } from './helpers.js';

const ARM64 = { os: 'linux', architecture: 'arm64' };
const context = join(repo, 'testdata/multiplatform');

/** A store whose busybox:latest holds an amd64 and an arm64 image. */
async function twoPlatformStore(root: string, base: string, arm64Tar: string): Promise<void> {
  const store = openStore(root);
  try {
    await importRootfs(store, { source: busyboxRootfsDir(join(base, `rootfs-${Math.random()}`)), tags: ['busybox:latest'], created: new Date(0) });
    await importRootfs(store, { source: arm64Tar, tags: ['busybox:latest'], created: new Date(0), platform: ARM64 });
  } finally {
    store.close();
  }
}

/** Reads an OCI layout dir: the index the top-level entry names, and a blob as JSON. */
function layout(dir: string): { index: ImageIndex; json: <T>(digest: string) => T } {
  const json = <T>(digest: string): T => JSON.parse(readFileSync(join(dir, 'blobs/sha256', digest.slice(7)), 'utf8')) as T;
  const top = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as ImageIndex;
  return { index: json<ImageIndex>(top.manifests[0]!.digest), json };
}

describe.skipIf(arm64Missing())('multi-platform builds', () => {
  let base: string;
  let arm64Tar: string;
  let root: string;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'tsbuild-multiplat-'));
    arm64Tar = arm64RootfsTar(join(base, 'arm64.tar'));
    root = join(base, 'root');
    await twoPlatformStore(root, base, arm64Tar);
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('builds both platforms into one OCI index; the arm64 RUN runs under emulation', () => {
    const out = join(base, 'multi.tar');
    const built = tsbuild(
      ['build', '--progress', 'plain', '--platform', 'linux/amd64,linux/arm64', '-t', 'multi:1', '-o', `type=oci,dest=${out}`, context],
      { root },
    );
    expect(built.stderr).toContain('[linux/arm64 stage-1 3/3] RUN');
    expect(built.status).toBe(0);
    const raw = JSON.parse(skopeo(['inspect', '--raw', `oci-archive:${out}`])) as ImageIndex;
    expect(raw.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(raw.manifests.map((m) => m.platform)).toEqual([{ os: 'linux', architecture: 'amd64' }, ARM64]);

    // umoci takes one manifest per tag: name each platform's manifest of the index, then unpack it.
    const dir = join(base, 'multi-layout');
    mkdirSync(dir);
    execFileSync('tar', ['-xf', out, '-C', dir]);
    const { index } = layout(dir);
    const top = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as ImageIndex;
    expect(top.manifests[0]!.annotations?.['org.opencontainers.image.ref.name']).toBe('1');
    const tagged = index.manifests.map((m) => ({ ...m, annotations: { 'org.opencontainers.image.ref.name': m.platform!.architecture } }));
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ ...top, manifests: [...top.manifests, ...tagged] }));
    expect(execFileSync('umoci', ['ls', '--layout', dir], { encoding: 'utf8' }).split('\n').sort()).toEqual(['', '1', 'amd64', 'arm64']);
    const files: Record<string, { run: string; build: string; args: string }> = {};
    for (const arch of ['amd64', 'arm64']) {
      const bundle = join(base, `bundle-${arch}`);
      execFileSync('umoci', ['unpack', '--image', `${dir}:${arch}`, bundle]);
      const read = (f: string): string => readFileSync(join(bundle, 'rootfs', f), 'utf8');
      files[arch] = { run: read('run-arch'), build: read('build-arch'), args: read('args') };
    }
    expect(files.arm64).toEqual({ run: 'aarch64 linux/arm64\n', build: 'x86_64\n', args: 'linux arm64 [] linux/amd64 amd64\n' });
    expect(files.amd64).toEqual({ run: 'x86_64 linux/amd64\n', build: 'x86_64\n', args: 'linux amd64 [] linux/amd64 amd64\n' });

    // save writes the index again, and load into another store gives back the two-platform name.
    const saved = join(base, 'saved.tar');
    expect(tsbuild(['save', '-o', saved, 'multi:1'], { root }).status).toBe(0);
    const other = join(base, 'root-loaded');
    expect(tsbuild(['load', '-i', saved], { root: other }).status).toBe(0);
    expect(tsbuild(['images'], { root: other }).stdout).toMatch(/multi\s+1\s+\S+\s+linux\/amd64,linux\/arm64/);
    expect(tsbuild(['run', '--platform', 'linux/arm64', 'multi:1', 'cat', '/run-arch'], { root: other }).stdout).toBe('aarch64 linux/arm64\n');

    // The name holds both platforms: images, inspect --platform, run --platform, rmi --platform.
    const images = tsbuild(['images'], { root });
    expect(images.stdout).toMatch(/multi\s+1\s+\S+\s+linux\/amd64,linux\/arm64/);
    const inspected = JSON.parse(tsbuild(['inspect', '--platform', 'linux/arm64', 'multi:1'], { root }).stdout) as {
      Architecture: string;
      Platforms: string[];
    }[];
    expect(inspected[0]).toMatchObject({ Architecture: 'arm64', Platforms: ['linux/amd64', 'linux/arm64'] });
    expect(tsbuild(['run', '--platform', 'linux/arm64', 'multi:1', 'uname', '-m'], { root }).stdout).toBe('aarch64\n');
    expect(tsbuild(['run', 'multi:1', 'uname', '-m'], { root }).stdout).toBe('x86_64\n');
    const removed = tsbuild(['rmi', '--platform', 'linux/arm64', 'multi:1'], { root });
    expect(removed.status).toBe(0);
    const left = tsbuild(['inspect', '--platform', 'linux/arm64', 'multi:1'], { root });
    expect(left.status).toBe(1);
    expect(left.stderr).toContain('holds no linux/arm64 image (it holds linux/amd64)');
  });

  it('runs the BUILDPLATFORM stage once, natively, for both targets', async () => {
    const events: BuildEvent[] = [];
    const result = await build({
      context,
      root,
      noCache: true,
      platform: ['linux/amd64', 'linux/arm64'],
      onEvent: (e) => events.push(e),
    });
    expect(result.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    const started = events.filter((e) => e.type === 'vertex-start').map((e) => e.vertex.name);
    expect(started.filter((n) => n.includes('RUN uname -m > /build-arch'))).toEqual(['[linux/amd64 build 2/2] RUN uname -m > /build-arch']);
    const logs = events.flatMap((e) => (e.type === 'vertex-log' ? [e.data] : [])).join('');
    expect(logs).toContain('aarch64 linux/arm64');
    expect(logs).toContain('x86_64 linux/amd64');
  }, 120_000);

  it('keys every step by its platform: the arm64 build reuses nothing of the amd64 one', async () => {
    const ctx = join(base, 'ctx-cache');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN uname -m > /arch\n');
    const once = (platform: string[]) => build({ context: ctx, root, platform });
    const amd = await once(['linux/amd64']);
    expect(amd.steps.map((s) => s.cached)).toEqual([false]);
    const arm = await once(['linux/arm64']);
    expect(arm.steps.map((s) => s.cached)).toEqual([false]);
    expect(arm.steps[0]!.key).not.toBe(amd.steps[0]!.key);
    const both = await once(['linux/amd64', 'linux/arm64']);
    expect(both.steps.map((s) => s.cached)).toEqual([true, true]);
    expect(both.steps.map((s) => s.platform).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    expect(both.steps.map((s) => s.key).sort()).toEqual([amd.steps[0]!.key, arm.steps[0]!.key].sort());
  }, 120_000);

  it('writes one directory per platform for -o type=local and type=tar, and the index for type=docker', () => {
    const dest = join(base, 'local-out');
    const tar = join(base, 'out-rootfs.tar');
    const docker = join(base, 'out-docker.tar');
    const built = tsbuild(
      [
        'build',
        '--platform',
        'linux/amd64,linux/arm64',
        '-t',
        'dock:1',
        '-o',
        `type=local,dest=${dest}`,
        '-o',
        `type=tar,dest=${tar}`,
        '-o',
        `type=docker,dest=${docker}`,
        context,
      ],
      { root },
    );
    expect(built.status).toBe(0);
    // The docker archive is an OCI layout with the index too; docker load takes the named image of this machine's platform.
    const raw = JSON.parse(skopeo(['inspect', '--raw', `oci-archive:${docker}`])) as ImageIndex;
    expect(raw.manifests.map((m) => m.platform?.architecture)).toEqual(['amd64', 'arm64']);
    expect(JSON.parse(skopeo(['inspect', `docker-archive:${docker}:dock:1`])).Architecture).toBe('amd64');
    expect(readFileSync(join(dest, 'linux_amd64/run-arch'), 'utf8')).toBe('x86_64 linux/amd64\n');
    expect(readFileSync(join(dest, 'linux_arm64/run-arch'), 'utf8')).toBe('aarch64 linux/arm64\n');
    const listed = execFileSync('tar', ['-tf', tar], { encoding: 'utf8' }).split('\n');
    expect(listed).toEqual(expect.arrayContaining(['linux_amd64/run-arch', 'linux_arm64/run-arch', 'linux_arm64/bin/busybox']));
  });

  it('names the platform of a failing step', () => {
    const ctx = join(base, 'ctx-fail');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN [ "$(uname -m)" = x86_64 ] || { echo "not on $(uname -m)"; exit 3; }\n');
    const built = tsbuild(['build', '--progress', 'plain', '--platform', 'linux/amd64,linux/arm64', ctx], { root });
    expect(built.status).toBe(1);
    expect(built.stderr).toContain(' > [linux/arm64 2/2] RUN [ "$(uname -m)" = x86_64 ]');
    expect(built.stderr).toContain('not on aarch64');
    expect(built.stderr).toContain('did not complete successfully: exit code: 3');
  });

  it('says which platform a base image lacks and how to add it', async () => {
    const store = openStore(root);
    try {
      // A registry nobody listens on: the pull fails at once, without leaving this machine.
      await importRootfs(store, { source: busyboxRootfsDir(join(base, 'rootfs-amd64-only')), tags: ['127.0.0.1:9/amd64only:1'], created: new Date(0) });
    } finally {
      store.close();
    }
    const ctx = join(base, 'ctx-lacking');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM 127.0.0.1:9/amd64only:1\nRUN true\n');
    const built = tsbuild(['build', '--platform', 'linux/amd64,linux/arm64', ctx], { root });
    expect(built.status).toBe(1);
    expect(built.stderr).toContain('base image 127.0.0.1:9/amd64only:1 has no linux/arm64 image in the store (it holds linux/amd64)');
    expect(built.stderr).toContain('import one with: tsbuild import --platform linux/arm64 ROOTFS.tar -t 127.0.0.1:9/amd64only:1');
  });

  it('stops before any work when the emulator is not registered, naming the platform and the fix', () => {
    const fake = join(base, 'binfmt');
    mkdirSync(fake, { recursive: true });
    writeFileSync(join(fake, 'status'), 'enabled\n');
    const run = (): ReturnType<typeof tsbuild> => {
      const out = execFileSync(process.execPath, [join(repo, 'bin/tsbuild'), 'build', '--platform', 'linux/amd64,linux/arm64', context], {
        env: { ...process.env, TSBUILD_ROOT: root, TSBUILD_BINFMT_MISC: fake },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return { status: 0, stdout: out, stderr: '' };
    };
    let failure: { status: number; stderr: string } | undefined;
    try {
      run();
    } catch (err) {
      failure = err as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(1);
    expect(failure?.stderr).toContain(
      `linux/arm64 binaries (RUN steps, tsbuild run) need QEMU user-mode emulation, and ${fake}/qemu-aarch64 is not registered`,
    );
    expect(failure?.stderr).toContain('apt-get install qemu-user-static binfmt-support');
    expect(failure?.stderr).toContain('update-binfmts --enable qemu-aarch64');
    expect(failure?.stderr).not.toContain('RUN uname');
  });

  describe.skipIf(registryUnavailableReason())('with a registry', () => {
    let registry: TestRegistry;
    beforeAll(async () => {
      registry = await startRegistry();
    });
    afterAll(async () => registry?.stop());

    it('pushes the index and pulls the platforms asked for', () => {
      const name = `${registry.host}/team/multi:1`;
      const meta = join(base, 'metadata.json');
      const pushed = tsbuild(['build', '--platform', 'linux/amd64,linux/arm64', '-t', name, '--push', '--metadata-file', meta, context], { root });
      expect(pushed.stderr).not.toContain('ERROR');
      expect(pushed.status).toBe(0);
      const raw = skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${name}`]);
      const index = JSON.parse(raw) as ImageIndex;
      expect(index.manifests.map((m) => m.platform?.architecture)).toEqual(['amd64', 'arm64']);
      // The metadata names the index the registry serves, as buildx does after a push.
      const metadata = JSON.parse(readFileSync(meta, 'utf8')) as Record<string, string>;
      expect(metadata['image.name']).toBe(name);
      expect(metadata['containerimage.digest']).toBe(`sha256:${createHash('sha256').update(raw).digest('hex')}`);
      expect(metadata['containerimage.config.digest']).toBeUndefined();
      const arm = JSON.parse(
        skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/team/multi@${index.manifests[1]!.digest}`]),
      ) as ImageManifest;
      expect(arm.layers.length).toBe(3);

      const fresh = join(base, 'root-pull');
      expect(tsbuild(['pull', '--all-platforms', name], { root: fresh }).status).toBe(0);
      expect(tsbuild(['images'], { root: fresh }).stdout).toMatch(/linux\/amd64,linux\/arm64/);
      expect(tsbuild(['run', '--platform', 'linux/arm64', name, 'cat', '/run-arch'], { root: fresh }).stdout).toBe('aarch64 linux/arm64\n');
      const one = join(base, 'root-pull-one');
      expect(tsbuild(['pull', '--platform', 'linux/arm64', name], { root: one }).status).toBe(0);
      const inspected = JSON.parse(tsbuild(['inspect', name], { root: one }).stdout) as { Architecture: string }[];
      expect(inspected[0]!.Architecture).toBe('arm64');
    }, 180_000);
  });
});
