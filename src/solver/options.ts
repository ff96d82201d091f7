import { cpus } from 'node:os';
import { hostPlatform, parsePlatform, type Platform } from '../platform.js';
import { UsageError } from '../errors.js';
import { normalizeTagName } from '../image/reference.js';
import type { CacheExportSpec, CacheImportSpec, NormalizedCacheExportSpec } from '../remote-cache/index.js';
import type { BuildEventListener } from './events.js';
import type { Ulimit } from '../executor/types.js';

/** A build secret: the file at `src` or the environment variable `env`. */
export interface SecretSource {
  id: string;
  src?: string;
  env?: string;
}

/** An SSH agent socket (or key files) forwarded to `RUN --mount=type=ssh`. */
export interface SshSource {
  id: string;
  /** Agent socket path; defaults to $SSH_AUTH_SOCK for `default`. */
  paths: string[];
}

export type OutputSpec =
  | { type: 'image'; push?: boolean }
  | { type: 'docker'; dest: string }
  | { type: 'oci'; dest: string }
  | { type: 'tar'; dest: string }
  | { type: 'local'; dest: string }
  | { type: 'registry' };

/** Options of `build()`; each mirrors a `tsbuild build` flag. */
export interface BuildOptions {
  /** The build context directory (`tsbuild build DIR`). */
  context: string;
  /** Path of the Dockerfile (`-f`); default `<context>/Dockerfile`, falling back to `dockerfile`. */
  dockerfile?: string;
  /** Dockerfile contents given directly (`-f -` reads them from stdin); wins over `dockerfile`. */
  dockerfileText?: string;
  /** Names to tag the image with (`-t`). */
  tags?: string[];
  /** `--build-arg K=V` values. */
  buildArgs?: Record<string, string>;
  /** The stage to build (`--target`); default the last one. */
  target?: string;
  /** Ignore the cache for every step (`--no-cache`). */
  noCache?: boolean;
  /** Ignore the cache for the steps of these stages (`--no-cache-filter`). */
  noCacheFilter?: string[];
  /** Check registries for newer base images (`--pull`). */
  pull?: boolean;
  /** Labels added to the image (`--label`). */
  labels?: Record<string, string>;
  /** Default network mode of RUN steps (`--network`). */
  network?: 'default' | 'none' | 'host';
  /** Build secrets (`--secret`). */
  secrets?: SecretSource[];
  /** SSH agents (`--ssh`). */
  ssh?: SshSource[];
  /** Where the result goes (`-o`); default: the store (tagged with `tags`). */
  outputs?: OutputSpec[];
  /** Target platform (`--platform`); only the host platform can run RUN steps. */
  platform?: string;
  /** Named contexts (`--build-context NAME=DIR|docker-image://REF`). */
  buildContexts?: Record<string, string>;
  /** Entitlements (`--allow security.insecure`, `network.host`). */
  allow?: string[];
  /** Size in bytes of each RUN step's /dev/shm (`--shm-size`); default 64 MiB. */
  shmSize?: number;
  /** Resource limits of each RUN step's processes (`--ulimit nofile=1024:2048`). */
  ulimits?: Ulimit[];
  /** Annotations of the image manifest (`--annotation KEY=VALUE`). */
  annotations?: Record<string, string>;
  /** Resource limits of each RUN step (`--memory` in bytes, `--cpu-quota`/`--cpu-period` in µs, `--cpuset-cpus`). */
  limits?: { memory?: number; cpuQuota?: number; cpuPeriod?: number; cpusetCpus?: string };
  /** Registries reached over plain HTTP (`--insecure-registry`); loopback hosts always are. */
  insecureRegistries?: string[];
  /**
   * Where to export the build cache after a successful build (`--cache-to`, repeatable): a
   * registry ref or an OCI layout directory; `mode: 'max'` also records the steps of stages
   * other than the target.
   */
  cacheTo?: CacheExportSpec[];
  /**
   * Build caches to take steps from when the store misses (`--cache-from`, repeatable), in
   * order of preference. A cache that is missing or unreadable is a warning, not an error.
   */
  cacheFrom?: CacheImportSpec[];
  /** Store root (`--root`); default $TSBUILD_ROOT or $XDG_DATA_HOME/tsbuild. */
  root?: string;
  /** Steps run at once (`--max-parallelism`); default the CPU count. */
  maxParallelism?: number;
  /** Clamp of layer mtimes and image `created` (`SOURCE_DATE_EPOCH`). */
  sourceDateEpoch?: number;
  /** Receives every progress event. */
  onEvent?: BuildEventListener;
  /** Cancels the build. */
  signal?: AbortSignal;
}

/** BuildOptions with every default applied, validated once at the entry. */
export interface NormalizedBuildOptions extends Required<Omit<BuildOptions, 'dockerfile' | 'dockerfileText' | 'target' | 'onEvent' | 'signal' | 'root' | 'platform' | 'sourceDateEpoch' | 'limits' | 'cacheTo' | 'shmSize'>> {
  shmSize?: number;
  cacheTo: NormalizedCacheExportSpec[];
  dockerfile?: string;
  dockerfileText?: string;
  target?: string;
  onEvent?: BuildEventListener;
  signal?: AbortSignal;
  root?: string;
  limits?: BuildOptions['limits'];
  platform: Platform;
  sourceDateEpoch?: number;
}

export function normalizeBuildOptions(options: BuildOptions): NormalizedBuildOptions {
  const host = hostPlatform();
  const platform = options.platform ? platformFlag(options.platform) : host;
  if (platform.os !== host.os || platform.architecture !== host.architecture) {
    throw new UsageError(
      `platform ${options.platform} cannot be built on this ${host.os}/${host.architecture} machine: RUN steps execute natively; drop --platform or build on a matching machine`,
    );
  }
  const allow = options.allow ?? [];
  const tags = options.tags ?? [];
  checkTags(tags, options.outputs ?? []);
  const maxParallelism = options.maxParallelism ?? cpus().length;
  if (!Number.isInteger(maxParallelism) || maxParallelism < 1) {
    throw new UsageError(`--max-parallelism must be a positive whole number, got ${options.maxParallelism}`);
  }
  return {
    ...options,
    tags,
    buildArgs: options.buildArgs ?? {},
    noCache: options.noCache ?? false,
    noCacheFilter: options.noCacheFilter ?? [],
    pull: options.pull ?? false,
    labels: options.labels ?? {},
    network: options.network ?? 'default',
    secrets: options.secrets ?? [],
    ssh: options.ssh ?? [],
    outputs: options.outputs ?? [{ type: 'image' }],
    buildContexts: options.buildContexts ?? {},
    allow,
    insecureRegistries: options.insecureRegistries ?? [],
    cacheTo: (options.cacheTo ?? []).map((spec) => ({ ...spec, mode: spec.mode ?? 'min' })),
    cacheFrom: options.cacheFrom ?? [],
    ulimits: options.ulimits ?? [],
    annotations: options.annotations ?? {},
    maxParallelism,
    platform,
    sourceDateEpoch: options.sourceDateEpoch ?? envEpoch(),
  };
}

/** Names are checked before any work: a bad `-t` or a push without a name must not cost a whole build first. */
function checkTags(tags: string[], outputs: OutputSpec[]): void {
  for (const tag of tags) {
    try {
      normalizeTagName(tag);
    } catch (err) {
      throw new UsageError(`invalid tag "${tag}": ${err instanceof Error ? err.message.replace(/^invalid reference "[^"]*": /, '') : String(err)}`, { cause: err });
    }
  }
  const pushes = outputs.some((o) => o.type === 'registry' || (o.type === 'image' && o.push === true));
  if (pushes && tags.length === 0) throw new UsageError('pushing needs a name: add -t REGISTRY/NAME:TAG');
}

function platformFlag(text: string): Platform {
  try {
    return parsePlatform(text);
  } catch (err) {
    throw new UsageError(`--platform: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function envEpoch(): number | undefined {
  const raw = process.env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, got "${raw}"`);
  return value;
}
