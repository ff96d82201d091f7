import type { BuildContext, StatCache } from '../context/index.js';

/** Where sources are read from. */
export type CopySource =
  /** The build context (already filtered by .dockerignore). */
  | { kind: 'context'; context: BuildContext }
  /**
   * A read-only directory: the mounted root of another stage or image, or a named directory
   * context (`COPY --from`); `statCache` spares re-reading unchanged files when hashing.
   */
  | { kind: 'dir'; root: string; statCache?: StatCache };

/** One COPY or ADD instruction, after variable expansion. */
export interface CopyRequest {
  /** Source paths, wildcards or (ADD) URLs, already variable-expanded. */
  sources: string[];
  /** `COPY <<EOF dest` bodies: each becomes a file named `name` with mode 0644. */
  heredocSources?: { name: string; content: string }[];
  /** Destination; relative to `workdir` unless absolute; a trailing slash means a directory. */
  dest: string;
  /** The stage's WORKDIR (absolute). */
  workdir: string;
  from: CopySource;
  /**
   * Read-only view of the current stage filesystem (null for scratch): existing dest dirs,
   * files and symlinks are resolved inside it, and --chown names come from its
   * /etc/passwd and /etc/group.
   */
  parentRoot: string | null;
  /** `user[:group]`, names or numbers; default 0:0. */
  chown?: string;
  /** Octal (`755`) or symbolic (`u=rwX,go=rX`, `+x`, `g=u`) mode. */
  chmod?: string;
  /** `--link`: the layer must not depend on the parent's symlinks (they are not followed). */
  link: boolean;
  /** `--exclude` patterns (.dockerignore rules), relative to each copied source. */
  exclude: string[];
  /** `--parents`: keep source parent directories (after a `/./` pivot) under dest. */
  parents: boolean;
  /** Present for ADD. */
  add?: { unpack?: boolean; checksum?: string; keepGitDir?: boolean };
  /** Empty directory that receives the layer: the copied tree plus the parent dirs created. */
  outDir: string;
  /**
   * An earlier snapshot (overlay-format dir in the store, never modified) of this same
   * instruction: a file there at the same layer path with the same content and metadata is
   * hard-linked instead of copied. Contents are compared byte for byte, so a wrong or stale
   * dir only costs the comparison.
   */
  reuseDir?: string;
}
