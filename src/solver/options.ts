import { formatPlatform, hostPlatform, parsePlatform, type Platform } from '../platform.js';
import { UsageError } from '../errors.js';
import { parseExtraHost, type ExtraHost } from '../executor/index.js';
import { normalizeTagName } from '../image/index.js';
import type { CacheExportSpec, CacheImportSpec, NormalizedCacheExportSpec } from '../remote-cache/index.js';
import type { OutputSpec } from '../exporter/index.js';
import type { NetworkMode } from '../network-mode.js';
import type { BuildEventListener } from './events.js';
import { parseNamedContexts, type NamedContext } from './named-context.js';

import type { Ulimit } from '../executor/index.js';

export type { OutputSpec };

/** A build secret: the file at `src` or the environment variable `env`. */
export interface SecretSource {
  id: string;
  src?: string;
  env?: string;
}

/** An SSH agent socket (or key files) forwarded to `RUN --mount=type=ssh`. */
export interface SshSource {
  id: string;
  /** Agent socket path; none given means $SSH_AUTH_SOCK (normalizeBuildOptions fills it in). */
  paths: string[];
}

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
  network?: NetworkMode;
  /**
   * Extra /etc/hosts entries of RUN steps (`--add-host`), as `HOST:IP`; `HOST:host-gateway`
   * maps HOST to the address that reaches the host and opens the host's loopback to the steps.
   */
  addHosts?: string[];
  /** Build secrets (`--secret`). */
  secrets?: SecretSource[];
  /** SSH agents (`--ssh`). */
  ssh?: SshSource[];
  /** Where the result goes (`-o`); default: the store (tagged with `tags`). */
  outputs?: OutputSpec[];
  /**
   * Target platforms (`--platform linux/amd64,linux/arm64`): one image per platform, put
   * together as one OCI index when there are several. RUN steps of another architecture than
   * this machine's run under QEMU user-mode emulation (binfmt_misc). Default: this machine's.
   */
  platform?: string | string[];
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
  /** Resource limits of each RUN step (`--memory` in bytes, `--cpu-quota`/`--cpu-period` in µs, `--cpuset-cpus`, `--pids-limit`). */
  limits?: { memory?: number; cpuQuota?: number; cpuPeriod?: number; cpusetCpus?: string; pids?: number };
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
  /**
   * Steps run at once (`--max-parallelism`); default no limit, as BuildKit's: independent
   * stages start together, since a RUN may wait (sleep, network) rather than use a core.
   */
  maxParallelism?: number;
  /** Clamp of layer mtimes and image `created` (`SOURCE_DATE_EPOCH`). */
  sourceDateEpoch?: number;
  /** Receives every progress event. */
  onEvent?: BuildEventListener;
  /** Cancels the build. */
  signal?: AbortSignal;
}

/** BuildOptions with every default applied, validated once at the entry. */
export interface NormalizedBuildOptions extends Required<
  Omit<
    BuildOptions,
    | 'dockerfile'
    | 'dockerfileText'
    | 'target'
    | 'onEvent'
    | 'signal'
    | 'root'
    | 'platform'
    | 'sourceDateEpoch'
    | 'limits'
    | 'cacheTo'
    | 'buildContexts'
    | 'addHosts'
    | 'shmSize'
  >
> {
  shmSize?: number;
  cacheTo: NormalizedCacheExportSpec[];
  buildContexts: Record<string, NamedContext>;
  extraHosts: ExtraHost[];
  dockerfile?: string;
  dockerfileText?: string;
  target?: string;
  onEvent?: BuildEventListener;
  signal?: AbortSignal;
  root?: string;
  limits?: BuildOptions['limits'];
  /** Every target platform, in the order given (no duplicates). */
  platforms: Platform[];
  /** The target platform of the session at hand (one solve per platform). */
  platform: Platform;
  sourceDateEpoch?: number;
}

/** As BuildKit's ssh agent provider: an `--ssh ID` without a path forwards $SSH_AUTH_SOCK, which must be set. */
function withAgentSocket(source: SshSource): SshSource {
  if (source.paths.length > 0) return source;
  const socket = process.env.SSH_AUTH_SOCK;
  if (!socket) {
    throw new UsageError(`--ssh ${source.id}: no agent socket given and SSH_AUTH_SOCK is not set; start ssh-agent, or pass --ssh ${source.id}=SOCKET`);
  }
  return { ...source, paths: [socket] };
}

export function normalizeBuildOptions(options: BuildOptions): NormalizedBuildOptions {
  const platforms = targetPlatforms(options.platform);
  const allow = options.allow ?? [];
  const tags = options.tags ?? [];
  checkTags(tags, options.outputs ?? []);
  const parallelism = options.maxParallelism;
  if (parallelism !== undefined && (!Number.isInteger(parallelism) || parallelism < 1)) {
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
    extraHosts: (options.addHosts ?? []).map(parseExtraHost),
    secrets: options.secrets ?? [],
    ssh: (options.ssh ?? []).map(withAgentSocket),
    outputs: options.outputs ?? [{ type: 'image' }],
    buildContexts: parseNamedContexts(options.buildContexts ?? {}),
    allow,
    insecureRegistries: options.insecureRegistries ?? [],
    cacheTo: (options.cacheTo ?? []).map((spec) => ({ ...spec, mode: spec.mode ?? 'min' })),
    cacheFrom: options.cacheFrom ?? [],
    ulimits: options.ulimits ?? [],
    annotations: options.annotations ?? {},
    maxParallelism: parallelism ?? Infinity,
    platforms,
    platform: platforms[0]!,
    sourceDateEpoch: options.sourceDateEpoch ?? envEpoch(),
  };
}

/** `linux/amd64,linux/arm64` (or a list of such), duplicates dropped; empty means this machine's. */
function targetPlatforms(given: string | string[] | undefined): Platform[] {
  const texts = (Array.isArray(given) ? given : [given ?? ''])
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const platforms = new Map<string, Platform>();
  for (const text of texts) {
    const given = platformFlag(text);
    // arm64/v8 is plain arm64 (as containerd normalizes it): one image, named linux/arm64.
    const platform = given.architecture === 'arm64' && given.variant === 'v8' ? { os: given.os, architecture: 'arm64' } : given;
    platforms.set(formatPlatform(platform), platform);
  }
  return platforms.size > 0 ? [...platforms.values()] : [hostPlatform()];
}

/** Names are checked before any work: a bad `-t` or a push without a name must not cost a whole build first. */
function checkTags(tags: string[], outputs: OutputSpec[]): void {
  for (const tag of tags) {
    try {
      normalizeTagName(tag);
    } catch (err) {
      throw new UsageError(`invalid tag "${tag}": ${err instanceof Error ? err.message.replace(/^invalid reference "[^"]*": /, '') : String(err)}`, {
        cause: err,
      });
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
