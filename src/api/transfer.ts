// Archives and registries in the public API: save/load/import (`tsbuild save|load|import`)
// and pull/push. Archives go to and come from files, directories or streams (stdin/stdout).
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { importRootfs, loadImages as loadIntoStore, type LoadedImage, saveImages as saveFromStore, type ArchiveFormat } from '../transfer/index.js';
import type { TransferListener, TransferProgress } from '../image/index.js';
import { familiarReference, parseReference } from '../image/index.js';
import { UsageError } from '../errors.js';
import { parsePlatform, type Platform } from '../platform.js';
import { pullImage, pullPlatforms, pushImage, type PushResult } from '../registry/index.js';
import { withStoreAt, type StoreOptions } from './images.js';

export type { ArchiveFormat, LoadedImage, PushResult, TransferListener, TransferProgress };

/**
 * Writes images to a docker-archive (`format: 'docker'`, what `docker load` reads) or an OCI
 * archive: to a file path, a directory (existing, or a path ending with `/`), or a stream.
 */
export async function saveImages(
  refs: string[],
  output: string | Writable,
  options: StoreOptions & { format?: ArchiveFormat; onProgress?: TransferListener } = {},
): Promise<void> {
  const format = options.format ?? 'docker';
  const progress = options.onProgress ? { onProgress: options.onProgress } : {};
  await withStoreAt(options, async (store) => {
    if (typeof output === 'string') return saveFromStore(store, { refs, output, format, ...progress });
    // The archive is made complete in the store's temp space first, so a failure half way
    // sends nothing that looks like an archive down the pipe.
    const dir = store.makeTempDir();
    try {
      const file = join(dir, 'archive.tar');
      await saveFromStore(store, { refs, output: file, format, ...progress });
      await pipeline(createReadStream(file), output, { end: output !== process.stdout });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

/** Loads every image of a docker-archive or OCI layout/archive (a path or a tar stream); names come back familiar (`app:1`). */
export async function loadImages(input: string | Readable, options: StoreOptions & { onProgress?: TransferListener } = {}): Promise<LoadedImage[]> {
  return withStoreAt(options, async (store) =>
    (await loadIntoStore(store, input, options.onProgress)).map((image) => ({
      ...image,
      tags: image.tags.map((t) => familiarReference(parseReference(t))),
    })),
  );
}

/**
 * Makes a one-layer image from a root filesystem, as `docker import`: a tar (gzipped or not), a
 * directory, or a tar stream. `created` defaults to now; fix it for a reproducible ID.
 */
export async function importImage(
  source: string | Readable,
  options: StoreOptions & { tags?: string[]; created?: Date; platform?: Platform } = {},
): Promise<{ id: string; tags: string[] }> {
  return withStoreAt(options, (store) =>
    importRootfs(store, {
      source,
      tags: options.tags ?? [],
      created: options.created ?? new Date(),
      ...(options.platform ? { platform: options.platform } : {}),
    }),
  );
}

/** Registry options of pull and push. */
export interface RegistryOptions extends StoreOptions {
  /** Registries reached over plain HTTP; loopback hosts always are. */
  insecureRegistries?: string[];
  /** Per-layer progress (status and bytes), e.g. for a display like docker's. */
  onProgress?: TransferListener;
}

/** Pulls an image into the store (`tsbuild pull`); resolves to its ID. */
export async function pull(ref: string, options: RegistryOptions & { platform?: string; allPlatforms?: boolean } = {}): Promise<string[]> {
  if (options.allPlatforms && options.platform !== undefined) throw new UsageError('--platform and --all-platforms exclude each other');
  const platforms = (options.platform ?? '')
    .split(',')
    .filter((p) => p.trim() !== '')
    .map(platformOption);
  const client = { insecureRegistries: options.insecureRegistries ?? [] };
  return withStoreAt(options, async (store) =>
    options.allPlatforms || platforms.length > 1
      ? pullPlatforms(store, ref, options.allPlatforms ? 'all' : platforms, { client })
      : [
          await pullImage(store, ref, {
            ...(platforms[0] ? { platform: platforms[0] } : {}),
            client,
            ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          }),
        ],
  );
}

/** Pushes a stored image to its registry, or to `ref` (`tsbuild push NAME [REF]`). */
export async function push(name: string, ref: string = name, options: RegistryOptions = {}): Promise<PushResult> {
  return withStoreAt(options, (store) =>
    pushImage(store, name, ref, {
      client: { insecureRegistries: options.insecureRegistries ?? [] },
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    }),
  );
}

function platformOption(text: string): Platform {
  try {
    return parsePlatform(text);
  } catch (err) {
    throw new UsageError(`--platform: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
