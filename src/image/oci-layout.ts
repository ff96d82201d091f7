// The OCI image layout (image-spec layout.md): `oci-layout`, `index.json` and blobs/sha256/.
// Image names ride on index entries as annotations, the way containerd and Docker write them.
import { ArchiveError } from './archive-reader.js';
import { MEDIA_TYPES, type Descriptor, type ImageIndex } from './oci-types.js';
import { formatReference, parseReference } from './reference.js';

export const OCI_LAYOUT_FILE = Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' }));
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';
export const ANNOTATION_IMAGE_NAME = 'io.containerd.image.name';

const DIGEST_RE = /^sha256:([0-9a-f]{64})$/;

export function layoutBlobPath(digest: string): string {
  const hex = DIGEST_RE.exec(digest)?.[1];
  if (hex === undefined) throw new ArchiveError(`invalid digest "${digest}"`);
  return `blobs/sha256/${hex}`;
}

/** An index entry for a manifest; a name adds the containerd full name and the OCI tag. */
export function indexEntry(manifest: Descriptor, name?: string): Descriptor {
  if (name === undefined) return manifest;
  const ref = parseReference(name);
  return {
    ...manifest,
    annotations: { [ANNOTATION_IMAGE_NAME]: formatReference(ref), [ANNOTATION_REF_NAME]: ref.tag ?? 'latest' },
  };
}

export function ociIndexJson(manifests: Descriptor[]): Buffer {
  const index: ImageIndex = { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests };
  return Buffer.from(JSON.stringify(index));
}

export function parseOciIndex(bytes: Buffer, what = 'index.json'): ImageIndex {
  let data: Partial<ImageIndex>;
  try {
    data = JSON.parse(bytes.toString('utf8')) as Partial<ImageIndex>;
  } catch (err) {
    throw new ArchiveError(`${what} is not valid JSON`, { cause: err });
  }
  if (!Array.isArray(data.manifests)) throw new ArchiveError(`${what} has no manifests list`);
  for (const m of data.manifests) {
    if (typeof m?.digest !== 'string' || !DIGEST_RE.test(m.digest)) throw new ArchiveError(`${what} lists a manifest with a bad digest`);
  }
  return data as ImageIndex;
}

/**
 * The image name an index entry carries: containerd's full name, else ref.name when it is a
 * whole reference (skopeo writes `busybox:latest`); a bare tag names no repository.
 */
export function imageNameOf(entry: Descriptor): string | undefined {
  const full = entry.annotations?.[ANNOTATION_IMAGE_NAME];
  if (full !== undefined) return full;
  const ref = entry.annotations?.[ANNOTATION_REF_NAME];
  if (ref === undefined || !/[:/]/.test(ref)) return undefined;
  try {
    return formatReference(parseReference(ref));
  } catch {
    return undefined;
  }
}
