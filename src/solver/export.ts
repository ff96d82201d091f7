import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { layerTarStream } from '../image/layer-tar.js';
import type { ImageConfig } from '../image/oci-types.js';
import { saveDockerArchive, saveOciArchive } from '../image/save-images.js';
import { historyOf } from './history.js';
import type { BuildSession, StageOutput } from './session.js';

const run = promisify(execFile);

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
    progress.status(vertex, 'exporting layers');
    const image = await store.putImage({ config, layers: target.layers, annotations: options.annotations });
    progress.status(vertex, `exporting manifest ${image.manifestDigest}`);
    progress.status(vertex, `writing image ${image.id}`);
    for (const tag of options.tags) progress.status(vertex, `naming to ${store.tag(tag, image.id)}`);
    for (const output of options.outputs) {
      switch (output.type) {
        case 'image':
          if (output.push) await push(session, image.id);
          break;
        case 'registry':
          await push(session, image.id);
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
        case 'local': {
          const view = await session.mounts.overlayView(layersOrEmpty(session, target), store.root);
          await mkdir(output.dest, { recursive: true });
          await run('cp', ['-a', `${view}/.`, resolve(output.dest)]);
          break;
        }
      }
    }
    return { imageId: image.id, manifestDigest: image.manifestDigest, tags: options.tags };
  });
}

function layersOrEmpty(session: BuildSession, target: StageOutput): string[] {
  const top = target.layers.at(-1);
  return top ? session.store.lowerdirs(top) : [session.store.emptyDir()];
}

function sourceDateOpts(epoch: number | undefined): { sourceDateEpoch?: number } {
  return epoch === undefined ? {} : { sourceDateEpoch: epoch };
}

async function push(session: BuildSession, imageId: string): Promise<void> {
  const { pushImage } = await import('../registry/index.js');
  for (const tag of session.options.tags) {
    const vertex = session.progress.vertex(`pushing ${tag}`);
    await session.progress.track(vertex, () => pushImage(session.store, imageId, tag, { client: { insecureRegistries: session.options.insecureRegistries } }));
  }
}
