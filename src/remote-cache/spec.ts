// What `--cache-to` and `--cache-from` name: typed specs, one variant per backend.

/**
 * Which steps an export records: `min` (the default, as BuildKit) only the target stage's,
 * `max` every stage's, so that a later build can also skip the stages the target copies from.
 */
export type CacheMode = 'min' | 'max';

/** Where `--cache-to` writes the build cache. */
export type CacheExportSpec =
  /** `type=registry,ref=REF[,mode=min|max]`: a manifest pushed to REF (a tag). */
  | { type: 'registry'; ref: string; mode?: CacheMode }
  /** `type=local,dest=DIR[,mode=min|max]`: an OCI image layout directory. */
  | { type: 'local'; dest: string; mode?: CacheMode };

/** A cache export with its mode decided. */
export type NormalizedCacheExportSpec = CacheExportSpec & { mode: CacheMode };

/** Where `--cache-from` reads a build cache written by `--cache-to`. */
export type CacheImportSpec =
  /** `type=registry,ref=REF`. */
  | { type: 'registry'; ref: string }
  /** `type=local,src=DIR`. */
  | { type: 'local'; src: string };
