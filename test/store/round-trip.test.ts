import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxMissing, busyboxRootfsDir, busyboxRootfsTar } from '../helpers/busybox-rootfs.js';
import { makeTempStore, type TempStore } from '../helpers/temp-store.js';
import { runCli } from './cli.js';
import { describeTree } from './tree.js';

const missing = busyboxMissing();
const hasTool = (tool: string): boolean => spawnSync(tool, ['--version']).status === 0;

describe.skipIf(missing)('import, save and load', () => {
  let t: TempStore;
  let rootfsTar: string;
  let id: string;

  beforeAll(() => {
    t = makeTempStore();
    mkdirSync(t.work, { recursive: true });
    rootfsTar = busyboxRootfsTar(join(t.work, 'busybox.tar'), t.work);
    const imported = runCli(t.root, 'import', [rootfsTar, '-t', 'busybox'], { SOURCE_DATE_EPOCH: '0' });
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    id = imported.stdout.trim();
  });
  afterAll(() => t.dispose());

  it('lists the imported image under its familiar name', () => {
    const out = runCli(t.root, 'images', ['--json']);
    const images = JSON.parse(out.stdout) as { Id: string; RepoTags: string[]; Size: number }[];
    expect(images).toEqual([expect.objectContaining({ Id: id, RepoTags: ['busybox:latest'] })]);
    expect(images[0]!.Size).toBeGreaterThan(1_000_000);
  });

  it('inspects by name, name:tag, full ID and short ID alike', () => {
    const refs = ['busybox', 'busybox:latest', 'docker.io/library/busybox:latest', id, id.slice(7, 19)];
    const infos = JSON.parse(runCli(t.root, 'inspect', refs).stdout) as { Id: string; RootFS: { Layers: string[] }; History: unknown[] }[];
    expect(infos).toHaveLength(refs.length);
    for (const info of infos) {
      expect(info.Id).toBe(id);
      expect(info.RootFS.Layers).toHaveLength(1);
      expect(info.History).toHaveLength(1);
    }
  });

  it('fails inspect of an unknown image with exit code 1', () => {
    const out = runCli(t.root, 'inspect', ['nope:missing']);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('no such image: nope:missing');
  });

  it('gives the same image ID to a directory rootfs and its tar', () => {
    const dir = busyboxRootfsDir(join(t.work, 'dir-rootfs'));
    execFileSync('touch', ['-h', '-d', '@0', ...listAll(dir)]);
    const fromDir = runCli(t.root, 'import', [dir], { SOURCE_DATE_EPOCH: '0' });
    expect(fromDir.status).toBe(0);
    expect(fromDir.stdout.trim()).toBe(id);
  });

  it('keeps ID and digests through save and load into another store', async () => {
    expect(runCli(t.root, 'tag', ['busybox', 'example.com:5000/team/bb:v1']).status).toBe(0);
    const archive = join(t.work, 'saved.tar');
    const saved = runCli(t.root, 'save', ['-o', archive, 'busybox', 'example.com:5000/team/bb:v1']);
    // Per-layer progress, one plain line per status off a terminal.
    expect(saved.stderr).toMatch(/^[0-9a-f]{12}: Written$/m);
    const other = makeTempStore();
    try {
      const loaded = runCli(other.root, 'load', ['-i', archive]);
      expect(loaded.stdout).toBe('Loaded image: busybox:latest\nLoaded image: example.com:5000/team/bb:v1\n');
      const a = await t.store.resolveImage('busybox');
      const b = await other.store.resolveImage('example.com:5000/team/bb:v1');
      expect(b!.id).toBe(a!.id);
      expect(b!.manifestDigest).toBe(a!.manifestDigest);
      expect(b!.chainIds).toEqual(a!.chainIds);
      // Saving again from the second store gives the very same bytes.
      const again = join(t.work, 'saved-again.tar');
      runCli(other.root, 'save', ['-o', again, 'busybox', 'example.com:5000/team/bb:v1']);
      expect(readFileSync(again).equals(readFileSync(archive))).toBe(true);
    } finally {
      other.dispose();
    }
  });

  it('loads the OCI format from a directory as well as from a tar', async () => {
    const dir = join(t.work, 'layout-dir/');
    expect(runCli(t.root, 'save', ['--format', 'oci', '-o', dir, 'busybox']).status).toBe(0);
    const other = makeTempStore();
    try {
      const loaded = runCli(other.root, 'load', ['-q', '-i', dir]);
      expect(loaded.stdout.trim()).toBe(id);
      expect((await other.store.resolveImage('busybox'))?.id).toBe(id);
    } finally {
      other.dispose();
    }
  });

  it.skipIf(!hasTool('skopeo'))('writes a docker-archive skopeo inspects and copies to an OCI layout', () => {
    const archive = join(t.work, 'for-skopeo.tar');
    runCli(t.root, 'save', ['-o', archive, 'busybox']);
    const info = JSON.parse(execFileSync('skopeo', ['inspect', `docker-archive:${archive}`], { encoding: 'utf8' })) as { Layers: string[]; Os: string };
    expect(info.Os).toBe('linux');
    expect(info.Layers).toHaveLength(1);
    execFileSync('skopeo', ['copy', '-q', `docker-archive:${archive}`, `oci:${join(t.work, 'skopeo-oci')}:copied`]);
    // And what skopeo wrote, we load (ref.name "copied" names no repository, so untagged).
    const other = makeTempStore();
    try {
      const loaded = runCli(other.root, 'load', ['-i', join(t.work, 'skopeo-oci')]);
      expect(loaded.status).toBe(0);
      expect(loaded.stdout).toMatch(/^Loaded image ID: sha256:[0-9a-f]{64}\n$/);
    } finally {
      other.dispose();
    }
  });

  it.skipIf(!hasTool('skopeo'))('writes an OCI archive skopeo inspects', () => {
    const archive = join(t.work, 'oci.tar');
    runCli(t.root, 'save', ['--format', 'oci', '-o', archive, 'busybox']);
    const info = JSON.parse(execFileSync('skopeo', ['inspect', `oci-archive:${archive}`], { encoding: 'utf8' })) as { Digest: string };
    expect(info.Digest).toMatch(/^sha256:/);
  });

  it.skipIf(!hasTool('umoci'))('gives umoci unpack the same tree as the snapshot', async () => {
    const layout = join(t.work, 'umoci-layout/');
    runCli(t.root, 'save', ['--format', 'oci', '-o', layout, 'busybox']);
    const bundle = join(t.work, 'bundle');
    execFileSync('umoci', ['unpack', '--image', `${layout}:latest`, bundle]);
    const image = await t.store.resolveImage('busybox');
    const ours = describeTree(t.store.snapshotDir(image!.chainIds[0]!));
    const theirs = describeTree(join(bundle, 'rootfs'));
    expect(Object.keys(ours).length).toBeGreaterThan(100);
    expect(theirs).toEqual(ours);
  });
});

function listAll(dir: string): string[] {
  return execFileSync('find', [dir], { encoding: 'utf8' }).split('\n').filter(Boolean);
}
