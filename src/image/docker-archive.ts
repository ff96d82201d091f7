// The docker-archive format (`docker save` / `docker load`): manifest.json lists each image's
// config and layer paths with its RepoTags; `repositories` is the legacy name → ID map.
// tsbuild writes the paths in OCI layout form (blobs/sha256/<hex>) as Docker 25 does, so one
// archive is both a docker-archive and an OCI layout; it reads the older `<id>/layer.tar` form too.
import { ArchiveError } from './archive-reader.js';
import { familiarReference, familiarRepository, parseReference } from './reference.js';

export interface DockerArchiveEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
}

export interface DockerArchiveImage {
  configPath: string;
  layerPaths: string[];
  /** Full normalized names (docker.io/library/busybox:latest). */
  names: string[];
}

export function dockerManifestJson(images: readonly DockerArchiveImage[]): Buffer {
  const entries: DockerArchiveEntry[] = images.map((img) => ({
    Config: img.configPath,
    RepoTags: img.names.length > 0 ? img.names.map((n) => familiarReference(parseReference(n))) : null,
    Layers: img.layerPaths,
  }));
  return Buffer.from(JSON.stringify(entries));
}

/** `{"busybox":{"latest":"<id hex>"}}`; old `docker load` versions still read it. */
export function repositoriesJson(images: readonly (DockerArchiveImage & { id: string })[]): Buffer {
  const repos: Record<string, Record<string, string>> = {};
  for (const img of images) {
    for (const name of img.names) {
      const ref = parseReference(name);
      (repos[familiarRepository(ref)] ??= {})[ref.tag ?? 'latest'] = img.id.slice('sha256:'.length);
    }
  }
  return Buffer.from(JSON.stringify(repos));
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** Parses manifest.json, checking its shape so a bad archive is named, not a TypeError. */
export function parseDockerManifest(bytes: Buffer): DockerArchiveImage[] {
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new ArchiveError('manifest.json is not valid JSON', { cause: err });
  }
  if (!Array.isArray(data)) throw new ArchiveError('manifest.json must be a list of images');
  return data.map((entry: Partial<DockerArchiveEntry>, i) => {
    if (typeof entry?.Config !== 'string' || !isStringArray(entry.Layers)) {
      throw new ArchiveError(`manifest.json entry ${i} needs a Config path and a Layers list`);
    }
    const tags = entry.RepoTags ?? [];
    if (!isStringArray(tags)) throw new ArchiveError(`manifest.json entry ${i}: RepoTags must be a list of names`);
    return { configPath: entry.Config, layerPaths: entry.Layers, names: tags };
  });
}
