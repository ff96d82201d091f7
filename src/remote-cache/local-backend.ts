import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { layoutBlobPath, OCI_LAYOUT_FILE, ociIndexJson, parseOciIndex, MEDIA_TYPES, type Descriptor } from '../image/index.js';
import { sha256Digest } from '../fs/index.js';
import type { CacheBackend, CacheBlob } from './backend.js';
import { RemoteCacheError } from './errors.js';

/**
 * A cache kept as an OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/`)
 * whose index names the one cache manifest. Blobs are content-addressed, so several builds
 * may export into the same directory; index.json is replaced last and atomically.
 */
export function localBackend(dir: string): CacheBackend {
  const root = resolve(dir);
  const blobFile = (digest: string): string => join(root, layoutBlobPath(digest));
  return {
    name: `local ${root}`,
    async readManifest() {
      const index = await readFile(join(root, 'index.json')).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
      if (index === null) return null;
      const entry = parseOciIndex(index, join(root, 'index.json')).manifests.findLast((m) => m.mediaType === MEDIA_TYPES.ociManifest);
      if (!entry) throw new RemoteCacheError(`${root}/index.json lists no OCI image manifest`);
      const bytes = await readFile(blobFile(entry.digest));
      if (sha256Digest(bytes) !== entry.digest) throw new RemoteCacheError(`${root}: manifest ${entry.digest} has digest ${sha256Digest(bytes)}`);
      return bytes;
    },
    async openBlob(descriptor: Descriptor): Promise<Readable> {
      const stream = createReadStream(blobFile(descriptor.digest));
      await once(stream, 'open'); // a missing blob rejects here, not halfway through a layer
      return stream;
    },
    async write(manifest: Buffer, blobs: readonly CacheBlob[]) {
      await mkdir(join(root, 'blobs/sha256'), { recursive: true });
      for (const blob of blobs) {
        const path = blobFile(blob.digest);
        if ((await stat(path).catch(() => null))?.size === blob.size) continue;
        await writeAtomically(path, (temp) => pipeline(blob.open(), createWriteStream(temp)));
      }
      const digest = sha256Digest(manifest);
      await writeAtomically(blobFile(digest), (temp) => writeFile(temp, manifest));
      await writeFile(join(root, 'oci-layout'), OCI_LAYOUT_FILE);
      const entry: Descriptor = { mediaType: MEDIA_TYPES.ociManifest, digest, size: manifest.length };
      await writeAtomically(join(root, 'index.json'), (temp) => writeFile(temp, ociIndexJson([entry])));
    },
  };
}

/** Readers never see a half-written file: it is written beside its final name and renamed. */
async function writeAtomically(path: string, write: (temp: string) => Promise<void>): Promise<void> {
  const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    await write(temp);
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}
