// Store-level functions of the public API: what `tsbuild images|inspect|history|tag|rmi` do,
// for build scripts. Each opens the store (`root`, else $TSBUILD_ROOT, else the default) and
// closes it before returning.
import { UsageError } from '../errors.js';
import { goMatch } from '../match/index.js';
import { familiarReference, parseReference } from '../image/index.js';
import { formatPlatform, type Platform } from '../platform.js';
import type { HistoryEntry, ImageConfig } from '../image/index.js';
import { ImageNotFoundError, StoreError, withStore, type RemoveImageResult, type Store } from '../store/index.js';

/** Where the store is; every store-level function takes it. */
export interface StoreOptions {
  /** Store root; default $TSBUILD_ROOT, else ~/.local/share/tsbuild. */
  root?: string;
}

/**
 * Runs `work` on the store `options` names, closing it whatever happens; a full disk is said
 * plainly. `freesSpace`: the work frees space, so the store's reserve goes first when space is short.
 */
export function withStoreAt<T>(options: StoreOptions, work: (store: Store) => Promise<T> | T, opts: { freesSpace?: boolean } = {}): Promise<T> {
  return withStore(options, async (store) => work(store), opts);
}

/** One image of `listImages`. */
export interface ImageListEntry {
  /** Image ID (config digest, `sha256:…`). */
  id: string;
  manifestDigest: string;
  /** Names as docker prints them (`busybox:latest`, `host:5000/team/app:1`); only those a reference filter matched. */
  repoTags: string[];
  /** When the image was stored (ms since 1970). */
  created: number;
  /** Uncompressed size of its layers in bytes. */
  size: number;
  labels: Record<string, string>;
  /** Platforms its names hold (`linux/amd64`, …); its own platform when it has no name. */
  platforms: string[];
}

/** Filters of `listImages`, as `docker images --filter`. */
export interface ImageFilters {
  /** true: only untagged images; false: only tagged ones. */
  dangling?: boolean;
  /** Glob patterns (`app*`, `team/*:1.*`) matched against `REPOSITORY` or `REPOSITORY:TAG`. */
  reference?: string[];
  /** `KEY` (present) or `KEY=VALUE` (equal); every one must match. */
  label?: string[];
}

/**
 * Lists the images in the store, newest first (`tsbuild images`), optionally filtered.
 *
 * ```ts
 * const untagged = await listImages({ filters: { dangling: true } });
 * ```
 */
export async function listImages(options: StoreOptions & { filters?: ImageFilters } = {}): Promise<ImageListEntry[]> {
  const filters = options.filters ?? {};
  return withStoreAt(options, (store) => {
    const out: ImageListEntry[] = [];
    const all = store.listImages();
    // Images held only as another platform of a name show on that name's row.
    const members = new Set(all.flatMap((img) => img.tags.flatMap((t) => store.imagesOfName(t).map((m) => m.image.id))));
    for (const summary of all) {
      if (summary.tags.length === 0 && members.has(summary.id)) continue;
      const allTags = summary.tags.map((t) => familiarReference(parseReference(t)));
      if (filters.dangling !== undefined && (allTags.length === 0) !== filters.dangling) continue;
      // As docker: a reference filter keeps the names that match, not every name of the image.
      const repoTags = allTags.filter((t) => (filters.reference ?? []).every((p) => referenceMatches(p, t)));
      if (filters.reference !== undefined && repoTags.length === 0) continue;
      const labels = store.resolveImage(summary.id)?.config.config.Labels ?? {};
      if (filters.label && !filters.label.every((l) => labelMatches(l, labels))) continue;
      const config = store.resolveImage(summary.id)?.config;
      const own = config
        ? [formatPlatform({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) })]
        : [];
      const platforms = summary.tags.length > 0 ? [...new Set(summary.tags.flatMap((t) => store.imagesOfName(t).map((m) => m.platform)))] : own;
      out.push({ id: summary.id, manifestDigest: summary.manifestDigest, repoTags, created: summary.created, size: summary.size, labels, platforms });
    }
    return out;
  });
}

/** docker's reference filter: the pattern against `repo` alone or `repo:tag`. */
function referenceMatches(pattern: string, repoTag: string): boolean {
  const repo = repoTag.slice(0, repoTag.lastIndexOf(':'));
  try {
    return goMatch(pattern, repoTag) || goMatch(pattern, repo);
  } catch {
    throw new UsageError(`reference filter "${pattern}" is not a valid pattern`);
  }
}

function labelMatches(filter: string, labels: Record<string, string>): boolean {
  const eq = filter.indexOf('=');
  return eq < 0 ? Object.hasOwn(labels, filter) : labels[filter.slice(0, eq)] === filter.slice(eq + 1);
}

/** `docker inspect`'s shape of an image. */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  ManifestDigest: string;
  Created: string | null;
  Author: string;
  Architecture: string;
  Variant?: string;
  Os: string;
  Config: ImageConfig['config'];
  RootFS: { Type: string; Layers: string[] };
  History: HistoryEntry[];
  Size: number;
  Metadata: { Stored: string };
  /** Every platform the name holds, when it holds more than one. */
  Platforms?: string[];
}

/**
 * Describes images as `docker inspect` does (`tsbuild inspect`); rejects with
 * `ImageNotFoundError` naming the first reference the store does not hold.
 */
export async function inspectImage(refs: string | string[], options: StoreOptions & { platform?: Platform } = {}): Promise<ImageInspect[]> {
  const list = typeof refs === 'string' ? [refs] : refs;
  const { platform } = options;
  return withStoreAt(options, (store) =>
    list.map((ref) => {
      const found = platform ? store.resolveImageFor(ref, platform) : { image: store.resolveImage(ref), held: [] };
      const image = found.image;
      if (!image) {
        if (platform && found.held.length > 0)
          throw new StoreError(`${ref} holds no ${formatPlatform(platform)} image (it holds ${found.held.join(', ')})`);
        throw new ImageNotFoundError(ref);
      }
      const { config } = image;
      const platforms = store.imagesOfName(ref).map((m) => m.platform);
      return {
        Id: image.id,
        RepoTags: image.tags.map((t) => familiarReference(parseReference(t))),
        RepoDigests: [],
        ManifestDigest: image.manifestDigest,
        Created: config.created ?? null,
        Author: config.author ?? '',
        Architecture: config.architecture,
        ...(config.variant ? { Variant: config.variant } : {}),
        Os: config.os,
        Config: config.config,
        RootFS: { Type: config.rootfs.type, Layers: config.rootfs.diff_ids },
        History: config.history ?? [],
        Size: image.chainIds.reduce((sum, chainId) => sum + (store.getLayer(chainId)?.size ?? 0), 0),
        Metadata: { Stored: new Date(image.created).toISOString() },
        ...(platforms.length > 1 ? { Platforms: platforms } : {}),
      };
    }),
  );
}

/** One line of `imageHistory`, newest first as `docker history` prints it. */
export interface ImageHistoryEntry {
  /** The image ID on the newest line, `<missing>` below it (as docker shows for built images). */
  id: string;
  created: string | null;
  createdBy: string;
  /** Bytes of the layer this step made; 0 for a step that only changed the config. */
  size: number;
  comment: string;
  emptyLayer: boolean;
}

/** The image's build steps with their layer sizes (`tsbuild history`). */
export async function imageHistory(ref: string, options: StoreOptions = {}): Promise<ImageHistoryEntry[]> {
  return withStoreAt(options, (store) => {
    const image = store.resolveImage(ref);
    if (!image) throw new ImageNotFoundError(ref);
    const history = image.config.history ?? [];
    const layerSizes = image.chainIds.map((chainId) => store.getLayer(chainId)?.size ?? 0);
    let layer = 0;
    const entries = history.map((h) => {
      const empty = h.empty_layer === true;
      const size = empty ? 0 : (layerSizes[layer++] ?? 0);
      return { id: '<missing>', created: h.created ?? null, createdBy: h.created_by ?? '', size, comment: h.comment ?? '', emptyLayer: empty };
    });
    entries.reverse();
    if (entries[0]) entries[0].id = image.id;
    return entries;
  });
}

/** Names an image (`tsbuild tag SOURCE TARGET`); returns the normalized name. */
export async function tagImage(source: string, target: string, options: StoreOptions = {}): Promise<string> {
  return withStoreAt(options, (store) => {
    const image = store.resolveImage(source);
    if (!image) throw new ImageNotFoundError(source);
    // A multi-platform name is tagged with every platform it holds.
    const platforms = store.imagesOfName(source);
    const name =
      platforms.length > 1
        ? store.tagPlatforms(
            target,
            platforms.map((m) => m.image.id),
          )
        : store.tag(target, image.id);
    return familiarReference(parseReference(name));
  });
}

/** Removes a name, or an image by ID (`force` when several names point at it), as `tsbuild rmi`. */
export async function removeImage(ref: string, options: StoreOptions & { force?: boolean; platform?: Platform } = {}): Promise<RemoveImageResult> {
  return withStoreAt(
    options,
    (store) => {
      const result = store.removeImage(ref, { force: options.force ?? false, ...(options.platform ? { platform: options.platform } : {}) });
      return { ...result, untagged: result.untagged.map((n) => familiarReference(parseReference(n))) };
    },
    { freesSpace: true },
  );
}
