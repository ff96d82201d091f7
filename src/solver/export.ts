import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { layerTarStream } from '../image/layer-tar.js';
import { runsNatively } from '../executor/emulation.js';
import { imageIndexBytes } from '../image/image-index.js';
import { MEDIA_TYPES, type ImageConfig } from '../image/oci-types.js';
import { formatPlatform } from '../platform.js';
import { saveDockerArchive, saveOciArchive } from '../image/save-images.js';
import { historyOf } from './history.js';
import type { BuildSession, StageOutput } from './session.js';

const run = promisify(execFile);

export interface ExportResult {
  /** The config digest; for several platforms, the OCI index digest (what buildx's --iidfile writes). */
  imageId: string;
  /** The manifest digest; for several platforms, the index digest. */
  manifestDigest: string;
  tags: string[];
  /** Each platform's image, in the order of --platform (one entry for a one-platform build). */
  platforms: { platform: string; imageId: string; manifestDigest: string }[];
  /** The manifest (or index) digest in the registry, when pushed: layers go up gzipped, so it differs from manifestDigest. */
  pushedDigest?: string;
}

/** One target platform's finished build. */
export interface PlatformTarget {
  session: BuildSession;
  target: StageOutput;
}

/**
 * Writes each target platform's image into the store, tags them, and sends them to each
 * output: one platform as an image, several as one OCI index (`tar`/`local` get one
 * `os_arch[_variant]/` directory per platform, as buildx writes them).
 */
export async function exportImages(targets: readonly PlatformTarget[]): Promise<ExportResult> {
  const first = targets[0];
  if (!first) throw new Error('nothing to export');
  if (targets.length === 1) return exportImage(first.session, first.target);
  const { store, options, progress } = first.session;
  const vertex = progress.vertex('exporting to image');
  return progress.track(vertex, async () => {
    const images = await Promise.all(targets.map(({ session, target }) => storeImage(session, target)));
    const platforms = images.map((image, i) => ({ platform: formatPlatform(targets[i]!.target.stage.platform), imageId: image.id, manifestDigest: image.manifestDigest }));
    const index = imageIndexBytes(
      images.map((image, i) => ({ platform: platforms[i]!.platform, manifest: { mediaType: MEDIA_TYPES.ociManifest, digest: image.manifestDigest, size: image.manifestSize } })),
    );
    await store.writeBlob(index.bytes, { mediaType: MEDIA_TYPES.ociIndex });
    const ids = images.map((image) => image.id);
    for (const tag of options.tags) store.tagPlatforms(tag, ids);
    const main = images[targets.findIndex(({ target }) => runsNatively(target.stage.platform))]?.id ?? ids[0]!;
    const archive = { images: [{ id: main, tags: options.tags, platforms: ids }] };
    let pushedDigest: string | undefined;
    for (const output of options.outputs) {
      switch (output.type) {
        case 'image':
          if (output.push) pushedDigest = await push(first.session, null);
          break;
        case 'registry':
          pushedDigest = await push(first.session, null);
          break;
        case 'docker':
          await saveDockerArchive(store, { ...archive, dest: resolve(output.dest) });
          break;
        case 'oci':
          await saveOciArchive(store, { ...archive, dest: resolve(output.dest) });
          break;
        case 'tar': {
          const dir = await mkdtemp(join(store.tmpDir(), 'export-'));
          try {
            for (const [i, { session, target }] of targets.entries()) await copyRootfs(session, target, join(dir, platformDir(platforms[i]!.platform)));
            await pipeline(layerTarStream(dir, sourceDateOpts(options.sourceDateEpoch)), createWriteStream(resolve(output.dest)));
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
          break;
        }
        case 'local':
          for (const [i, { session, target }] of targets.entries()) await copyRootfs(session, target, join(resolve(output.dest), platformDir(platforms[i]!.platform)));
          break;
      }
    }
    return { imageId: index.descriptor.digest, manifestDigest: index.descriptor.digest, tags: options.tags, platforms, ...(pushedDigest ? { pushedDigest } : {}) };
  });
}

/** `linux/arm/v7` → `linux_arm_v7`, buildx's directory name for a platform. */
function platformDir(platform: string): string {
  return platform.replaceAll('/', '_');
}

async function copyRootfs(session: BuildSession, target: StageOutput, dest: string): Promise<void> {
  const view = await session.mounts.overlayView(layersOrEmpty(session, target), session.store.root);
  await mkdir(dest, { recursive: true });
  await run('cp', ['-a', `${view}/.`, dest]);
}

/** The target stage's config and manifest in the store; the image is of the stage's platform. */
async function storeImage(session: BuildSession, target: StageOutput): Promise<{ id: string; manifestDigest: string; manifestSize: number }> {
  const { store, options } = session;
  const created = new Date(options.sourceDateEpoch !== undefined ? options.sourceDateEpoch * 1000 : target.created || Date.now()).toISOString();
  const stage = target.stage;
  const labels = { ...(stage.config.Labels ?? {}), ...options.labels };
  const config: ImageConfig = {
    created,
    ...(stage.author !== undefined ? { author: stage.author } : {}),
    architecture: stage.platform.architecture,
    os: stage.platform.os,
    ...(stage.platform.variant ? { variant: stage.platform.variant } : {}),
    config: { ...stage.config, ...(Object.keys(labels).length > 0 ? { Labels: labels } : {}) },
    rootfs: { type: 'layers', diff_ids: target.layers.map((chainId) => store.diffIdOf(chainId)) },
    history: historyOf(session, stage, created),
  };
  const image = await store.putImage({ config, layers: target.layers });
  return { ...image, manifestSize: (await store.readBlob(image.manifestDigest)).length };
}

/** Writes the target stage as an image into the store, tags it, and sends it to each output. */
async function exportImage(session: BuildSession, target: StageOutput): Promise<ExportResult> {
  const { store, options, progress } = session;
  const vertex = progress.vertex('exporting to image');
  return progress.track(vertex, async () => {
    const image = await storeImage(session, target);
    for (const tag of options.tags) store.tag(tag, image.id);
    let pushedDigest: string | undefined;
    for (const output of options.outputs) {
      switch (output.type) {
        case 'image':
          if (output.push) pushedDigest = await push(session, image.id);
          break;
        case 'registry':
          pushedDigest = await push(session, image.id);
          break;
        case 'docker':
          await saveDockerArchive(store, { images: [{ id: image.id, tags: options.tags }], dest: resolve(output.dest) });
          break;
        case 'oci':
          await saveOciArchive(store, { images: [{ id: image.id, tags: options.tags }], dest: resolve(output.dest) });
          break;
        case 'tar': {
          const view = await session.mounts.overlayView(layersOrEmpty(session, target), store.root);
          await pipeline(layerTarStream(view, sourceDateOpts(options.sourceDateEpoch)), createWriteStream(resolve(output.dest)));
          break;
        }
        case 'local':
          await copyRootfs(session, target, resolve(output.dest));
          break;
      }
    }
    const platform = formatPlatform(target.stage.platform);
    const platforms = [{ platform, imageId: image.id, manifestDigest: image.manifestDigest }];
    return { imageId: image.id, manifestDigest: image.manifestDigest, tags: options.tags, platforms, ...(pushedDigest ? { pushedDigest } : {}) };
  });
}

function layersOrEmpty(session: BuildSession, target: StageOutput): string[] {
  const top = target.layers.at(-1);
  return top ? session.store.lowerdirs(top) : [session.store.emptyDir()];
}

function sourceDateOpts(epoch: number | undefined): { sourceDateEpoch?: number } {
  return epoch === undefined ? {} : { sourceDateEpoch: epoch };
}

/**
 * Pushes the image (by ID) or, with null, what each tag holds (a multi-platform name goes up as
 * its index). Returns the registry's digest (the same for every tag: the same bytes go up).
 */
async function push(session: BuildSession, imageId: string | null): Promise<string> {
  const { pushImage } = await import('../registry/index.js');
  if (session.options.tags.length === 0) throw new Error('pushing needs a name: add -t REGISTRY/NAME:TAG');
  let digest = '';
  for (const tag of session.options.tags) {
    const vertex = session.progress.vertex(`pushing ${tag}`);
    const pushed = await session.progress.track(vertex, () => pushImage(session.store, imageId ?? tag, tag, { client: { insecureRegistries: session.options.insecureRegistries } }));
    digest = pushed.digest;
  }
  return digest;
}
