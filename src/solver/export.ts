import { exportTo, type ExportTarget } from '../exporter/index.js';
import type { ImageConfig } from '../image/oci-types.js';
import { historyOf } from './history.js';
import type { BuildSession, StageOutput } from './session.js';

export interface ExportResult {
  imageId: string;
  manifestDigest: string;
  tags: string[];
}

/** Writes the target stage as an image into the store, tags it, and sends it to each output. */
export async function exportImage(session: BuildSession, target: StageOutput): Promise<ExportResult> {
  const { store, options, progress } = session;
  const vertex = progress.vertex('exporting to image');
  return progress.track(vertex, async () => {
    const created = new Date(options.sourceDateEpoch !== undefined ? options.sourceDateEpoch * 1000 : target.created || Date.now()).toISOString();
    const stage = target.stage;
    const labels = { ...(stage.config.Labels ?? {}), ...options.labels };
    const config: ImageConfig = {
      created,
      ...(stage.author !== undefined ? { author: stage.author } : {}),
      architecture: options.platform.architecture,
      os: options.platform.os,
      ...(options.platform.variant ? { variant: options.platform.variant } : {}),
      config: { ...stage.config, ...(Object.keys(labels).length > 0 ? { Labels: labels } : {}) },
      rootfs: { type: 'layers', diff_ids: target.layers.map((chainId) => store.diffIdOf(chainId)) },
      history: historyOf(session, stage, created),
    };
    const image = await store.putImage({ config, layers: target.layers });
    for (const tag of options.tags) store.tag(tag, image.id);
    const exportTarget: ExportTarget = {
      store,
      imageId: image.id,
      tags: options.tags,
      chainId: target.layers.at(-1) ?? null,
      sourceDateEpoch: options.sourceDateEpoch,
      insecureRegistries: options.insecureRegistries,
      track: (name, work) => progress.track(progress.vertex(name), work),
    };
    for (const output of options.outputs) await exportTo(output, exportTarget);
    return { imageId: image.id, manifestDigest: image.manifestDigest, tags: options.tags };
  });
}
