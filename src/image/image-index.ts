// A multi-platform image as an OCI index: one manifest descriptor per platform, each with its
// `platform`, in the order the platforms were asked for. The same members give the same bytes,
// so the index digest is stable across saves and pushes.
import { sha256Digest } from '../fs/index.js';
import { parsePlatform } from '../platform.js';
import { MEDIA_TYPES, type Descriptor, type ImageIndex } from './oci-types.js';

/** One platform's manifest, as the index lists it. */
export interface IndexMember {
  /** `os/arch[/variant]` */
  platform: string;
  manifest: Descriptor;
}

export function imageIndexBytes(members: readonly IndexMember[]): { bytes: Buffer; descriptor: Descriptor } {
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: members.map((m) => ({
      mediaType: m.manifest.mediaType,
      digest: m.manifest.digest,
      size: m.manifest.size,
      platform: parsePlatform(m.platform),
    })),
  };
  const bytes = Buffer.from(JSON.stringify(index));
  const digest = sha256Digest(bytes);
  return { bytes, descriptor: { mediaType: MEDIA_TYPES.ociIndex, digest, size: bytes.length } };
}
