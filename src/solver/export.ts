import { exportTo, type ExportTarget } from '../exporter/index.js';
import { runsNatively } from '../executor/index.js';
import { imageIndexBytes, MEDIA_TYPES, type ImageConfig } from '../image/index.js';
import { formatPlatform } from '../platform.js';
import { historyOf } from './history.js';
import type { BuildSession, StageOutput } from './session.js';

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
 * Writes each target platform's image into the store, tags them (several platforms: one OCI
 * index under each tag), and sends the result to each output.
 */
export async function exportImages(targets: readonly PlatformTarget[]): Promise<ExportResult> {
  const first = targets[0];
  if (!first) throw new Error('nothing to export');
  const { store, options, progress } = first.session;
  const vertex = progress.vertex('exporting to image');
  return progress.track(vertex, async () => {
    progress.status(vertex, 'exporting layers');
    const images = await Promise.all(targets.map(({ session, target }) => storeImage(session, target)));
    for (const image of images) progress.status(vertex, `exporting manifest ${image.manifestDigest}`);
    const platforms = images.map((image, i) => ({
      platform: formatPlatform(targets[i]!.target.stage.platform),
      imageId: image.id,
      manifestDigest: image.manifestDigest,
    }));
    const ids = images.map((image) => image.id);
    let result: Omit<ExportResult, 'platforms'>;
    if (images.length === 1) {
      progress.status(vertex, `writing image ${ids[0]!}`);
      for (const tag of options.tags) progress.status(vertex, `naming to ${store.tag(tag, ids[0]!)}`);
      result = { imageId: ids[0]!, manifestDigest: images[0]!.manifestDigest, tags: options.tags };
    } else {
      const index = imageIndexBytes(
        images.map((image, i) => ({
          platform: platforms[i]!.platform,
          manifest: { mediaType: MEDIA_TYPES.ociManifest, digest: image.manifestDigest, size: image.manifestSize },
        })),
      );
      await store.writeBlob(index.bytes, { mediaType: MEDIA_TYPES.ociIndex });
      progress.status(vertex, `exporting manifest list ${index.descriptor.digest}`);
      for (const tag of options.tags) progress.status(vertex, `naming to ${store.tagPlatforms(tag, ids)}`);
      result = { imageId: index.descriptor.digest, manifestDigest: index.descriptor.digest, tags: options.tags };
    }
    const exportTarget: ExportTarget = {
      store,
      imageId: ids[targets.findIndex(({ target }) => runsNatively(target.stage.platform))] ?? ids[0]!,
      platforms: targets.map(({ target }, i) => ({ platform: platforms[i]!.platform, imageId: ids[i]!, chainId: target.layers.at(-1) ?? null })),
      tags: options.tags,
      sourceDateEpoch: options.sourceDateEpoch,
      insecureRegistries: options.insecureRegistries,
      track: (name, work) => progress.track(progress.vertex(name), work),
    };
    let pushedDigest: string | undefined;
    for (const output of options.outputs) pushedDigest = (await exportTo(output, exportTarget)).pushedDigest ?? pushedDigest;
    return { ...result, platforms, ...(pushedDigest ? { pushedDigest } : {}) };
  });
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
  return store.putImage({ config, layers: target.layers, annotations: options.annotations });
}
