import { chmodSync, mkdirSync, rmSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Descriptor } from '../image/index.js';
import { blobPath, hasBlob, readBlob, writeBlob } from './blobs.js';
import { ensureReserve } from './disk-space.js';
import { cacheMountDir, withCacheMountLock } from './cache-mounts.js';
import { getCacheRecord, putCacheRecord, type CacheRecord, type PutCacheRecordOptions } from './cache-records.js';
import type { StoreContext } from './context.js';
import { openDb } from './db.js';
import { StoreError } from './errors.js';
import { claimIdMapping } from './id-map.js';
import type { FsckResult } from './fsck.js';
import type { Platform } from '../platform.js';
import { addNameMember, platformOfImage, setNameMembers } from './platform-names.js';
import {
  imagesOfName,
  resolveImageFor,
  listImages,
  putImage,
  removeImage,
  resolveImage,
  tag,
  untag,
  type ResolvedImage,
  type ImageSummary,
  type PutImageOptions,
  type RemoveImageResult,
} from './images.js';
import { layerBlob, layerBlobs, layerTar, type LayerBlob, type LayerCompression } from './layer-blobs.js';
import type { ApplyLayerOptions } from './layer-import.js';
import { Leases, type Lease } from './leases.js';
import { storePaths } from './paths.js';
import type { PruneOptions, PruneResult } from './prune.js';
import { commitSnapshot, getLayer, lowerdirs, makeTempDir, requireLayer, snapshotDirOf, type CommitSnapshotOptions, type LayerInfo } from './snapshots.js';
import type { StatCache } from '../context/index.js';
import { openStatCache } from './stat-cache.js';
import { diskUsage, type DiskUsage } from './usage.js';
import { Views, type SnapshotView } from './views.js';

/**
 * The content-addressed store: blobs, snapshots (unpacked layers in overlay format), images,
 * tags, build cache and leases, in one directory shared safely by concurrent processes.
 * Things made outside `withLease` may be pruned as soon as nothing refers to them.
 */
export class Store {
  readonly root: string;
  readonly #ctx: StoreContext;
  readonly #views: Views;
  #tmpDir: string | undefined;

  constructor(root: string) {
    const paths = storePaths(root);
    closeToOthers(root);
    claimIdMapping(root);
    const db = openDb(paths.db);
    ensureReserve(root);
    this.root = root;
    this.#ctx = { paths, db, leases: new Leases(db) };
    this.#views = new Views(this.#ctx, root);
  }

  close(): void {
    this.#views.releaseAll();
    if (this.#tmpDir) rmSync(this.#tmpDir, { recursive: true, force: true });
    this.#ctx.db.close();
  }

  // Leases
  /** Runs fn holding a lease: everything it creates or uses stays until fn settles. */
  withLease<T>(fn: (lease: Lease) => Promise<T>): Promise<T> {
    return this.#ctx.leases.withLease(fn);
  }

  // Scratch space
  /** A fresh empty dir on the store filesystem (for an upper dir or COPY output that will be committed). */
  makeTempDir(): string {
    return makeTempDir(this.#ctx);
  }
  /**
   * This process's scratch dir on the store filesystem, for callers that mkdtemp inside it.
   * It is owned by the process, so prune leaves it alone until the process is gone.
   */
  tmpDir(): string {
    this.#tmpDir ??= makeTempDir(this.#ctx);
    return this.#tmpDir;
  }
  /** An empty directory: the lowerdir of a stage built FROM scratch. Never write into it. */
  emptyDir(): string {
    mkdirSync(this.#ctx.paths.empty, { recursive: true });
    return this.#ctx.paths.empty;
  }

  // Snapshots
  /** Commits a finished overlay-format layer dir (consumed) on top of `parent`. */
  commitSnapshot(opts: CommitSnapshotOptions): Promise<LayerInfo> {
    return this.withLease(() => commitSnapshot(this.#ctx, opts));
  }
  /** Unpacks a layer tar (plain or gzip) safely on top of `parent`. */
  applyLayerToSnapshot(opts: ApplyLayerOptions): Promise<LayerInfo> {
    // Loaded on first use, like prune and fsck: a cached build never needs the tar reader.
    return this.withLease(async () => (await import('./layer-import.js')).applyLayerToSnapshot(this.#ctx, opts));
  }
  getLayer(chainId: string): LayerInfo | undefined {
    return getLayer(this.#ctx, chainId);
  }
  hasSnapshot(chainId: string): boolean {
    return getLayer(this.#ctx, chainId) !== undefined;
  }
  diffIdOf(chainId: string): string {
    return requireLayer(this.#ctx, chainId).diffId;
  }
  /** Overlay lowerdirs relative to `root`, topmost first: mount with cwd = root. */
  lowerdirs(chainId: string): string[] {
    return lowerdirs(this.#ctx, chainId);
  }
  /** Absolute path of a chain's own diff (overlay format). */
  /**
   * Mounts the filesystem of `chainId` (null: an empty root) read-only and holds it on the
   * current lease. Release it when done; the rest go with `releaseViews()` or `close()`.
   */
  view(chainId: string | null): Promise<SnapshotView> {
    return this.#views.view(chainId);
  }
  /** Unmounts every view this store object mounted. */
  releaseViews(): void {
    this.#views.releaseAll();
  }
  snapshotDir(chainId: string): string {
    requireLayer(this.#ctx, chainId);
    return snapshotDirOf(this.#ctx, chainId);
  }

  // Layer blobs
  /** The uncompressed tar of a layer (by chain or diff ID), verified against its diff ID as it streams. */
  layerTar(ref: string): { descriptor: Descriptor; stream: () => Readable } {
    return layerTar(this.#ctx, ref);
  }
  /** A layer as a blob in the asked compression, made once and remembered. */
  layerBlob(ref: string, opts: { compression: LayerCompression }): Promise<LayerBlob> {
    return this.withLease(() => layerBlob(this.#ctx, ref, opts));
  }
  layerBlobs(refs: readonly string[], opts: { compression: LayerCompression }): Promise<LayerBlob[]> {
    return this.withLease(() => layerBlobs(this.#ctx, refs, opts));
  }

  // Blobs
  writeBlob(data: Readable | Uint8Array, opts: { mediaType: string; expected?: string }): Promise<Descriptor> {
    return writeBlob(this.#ctx, data, opts);
  }
  readBlob(digest: string): Promise<Buffer> {
    return readBlob(this.#ctx, digest);
  }
  hasBlob(digest: string): boolean {
    return hasBlob(this.#ctx, digest);
  }
  blobPath(digest: string): string {
    return blobPath(this.#ctx, digest);
  }

  // Images
  putImage(opts: PutImageOptions): Promise<{ id: string; manifestDigest: string; manifestSize: number }> {
    return putImage(this.#ctx, opts);
  }
  /** By name (`busybox` ≡ `busybox:latest`), `name@digest`, or full or short ID. */
  resolveImage(ref: string): ResolvedImage | null {
    return resolveImage(this.#ctx, ref);
  }
  /** `ref`'s image for `platform` (see resolveImageFor); `held` lists a name's platforms when none fits. */
  resolveImageFor(ref: string, platform: Platform): { image: ResolvedImage | null; held: string[] } {
    return resolveImageFor(this.#ctx, ref, platform);
  }
  /** Every platform's image under a name, in index order. */
  imagesOfName(ref: string): { platform: string; image: ResolvedImage }[] {
    return imagesOfName(this.#ctx, ref);
  }
  /** Points a name at one image per platform (index order); returns the normalized name. */
  tagPlatforms(name: string, ids: readonly string[]): string {
    return setNameMembers(
      this.#ctx,
      name,
      ids.map((id) => ({ platform: platformOfImage(this.#ctx, id), id })),
    );
  }
  /** Adds an image under a name next to its other platforms' images (replacing its own platform's). */
  addPlatform(name: string, id: string): string {
    return addNameMember(this.#ctx, name, id);
  }
  /** Points a name at an image; returns the normalized name. */
  tag(name: string, id: string): string {
    return tag(this.#ctx, name, id);
  }
  untag(name: string): boolean {
    return untag(this.#ctx, name);
  }
  removeImage(ref: string, opts: { force?: boolean; platform?: Platform } = {}): RemoveImageResult {
    return removeImage(this.#ctx, ref, opts);
  }
  listImages(): ImageSummary[] {
    return listImages(this.#ctx);
  }

  // Build cache
  getCacheRecord(key: string): CacheRecord | null {
    return getCacheRecord(this.#ctx, key);
  }
  putCacheRecord(opts: PutCacheRecordOptions): void {
    putCacheRecord(this.#ctx, opts);
  }
  statCache(contextId: string): StatCache {
    return openStatCache(this.#ctx, contextId);
  }
  /** Directory of a RUN cache mount, by id. */
  cacheMountDir(id: string): string {
    return cacheMountDir(this.#ctx, id);
  }
  /** Runs fn with cache mount `id` held exclusively by this process (sharing=locked). */
  withCacheMountLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return withCacheMountLock(this.#ctx, id, fn);
  }

  // Maintenance
  async prune(opts: PruneOptions = {}): Promise<PruneResult> {
    return (await import('./prune.js')).prune(this.#ctx, opts);
  }
  async fsck(): Promise<FsckResult> {
    return (await import('./fsck.js')).fsck(this.#ctx);
  }
  diskUsage(): DiskUsage {
    return diskUsage(this.#ctx);
  }
}

/** Opens (creating when needed) the store at `root`. */
/**
 * Creates the store root as 0700, and closes an existing one: image layers hold setuid
 * binaries and device nodes, which other local users must not reach through the store.
 */
function closeToOthers(root: string): void {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const mode = statSync(root).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  try {
    chmodSync(root, 0o700);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    throw new StoreError(`the store at ${root} is open to other users (mode ${mode.toString(8)}); its owner must close it: chmod 700 ${root}`);
  }
}

export function openStore(root: string): Store {
  return new Store(root);
}
