import { sha256Digest } from '../fs/index.js';
import type { CacheSharing, RunStep } from '../frontend/index.js';
import type { NetworkMode } from '../network-mode.js';
import type { Platform } from '../platform.js';

/**
 * Cache keys are pure: sha256 over the parent's key, the step in canonical form (after
 * expansion), the platform, and every input the step reads, by content. Never mtimes,
 * never secret values.
 */
export type CacheKey = string;

/**
 * Where a step reads files from, by content: the Merkle checksum of what it reads from a
 * directory (the build context or a named directory context), the key of another stage,
 * or an image's ID (its config digest, which names its layers).
 */
export type SourceKey = { kind: 'content'; checksum: string } | { kind: 'stage'; key: CacheKey } | { kind: 'image'; id: string } | { kind: 'scratch' };

/** A RUN mount as its key sees it: secrets and SSH agents by id only, never their values. */
export type MountKey =
  | { type: 'bind'; target: string; source: string; readonly: boolean; from: SourceKey }
  | {
      type: 'cache';
      target: string;
      id: string;
      readonly: boolean;
      sharing: CacheSharing;
      mode: number;
      uid: number;
      gid: number;
      /** The seed of a new cache dir (`from=`/`source=`); the cache's own content is not keyed. */
      seed: SourceKey | null;
    }
  | { type: 'tmpfs'; target: string; size: number | null }
  | { type: 'secret'; id: string; target: string | null; env: string | null; required: boolean; mode: number; uid: number; gid: number }
  | { type: 'ssh'; id: string; target: string; required: boolean; mode: number; uid: number; gid: number };

export interface RunKey {
  kind: 'run';
  args: string[];
  /** `KEY=VAL` as the process sees it; proxy values are left out (they change how, not what, a step fetches). */
  env: string[];
  workdir: string;
  user: string;
  /** The network the step gets (a step's `default` is the build's `--network`). */
  network: NetworkMode;
  security: RunStep['security'];
  mounts: MountKey[];
  /** Heredoc scripts run as files, by content digest. */
  files: { path: string; mode: number; content: string }[];
}

interface FileKey {
  sources: string[];
  heredocs: { name: string; content: string }[];
  dest: string;
  workdir: string;
  chown: string | null;
  chmod: string | null;
  link: boolean;
  exclude: string[];
  parents: boolean;
  /** What the sources are: their content checksum (names included), a stage key or an image ID. */
  from: SourceKey;
}

export interface CopyKey extends FileKey {
  kind: 'copy';
}

export interface AddKey extends FileKey {
  kind: 'add';
  unpack: boolean | null;
  checksum: string | null;
  keepGitDir: boolean;
}

export interface WorkdirKey {
  kind: 'workdir';
  path: string;
  user: string;
}

/** Everything a filesystem step reads, in canonical form. */
export type StepKeyInput = RunKey | CopyKey | AddKey | WorkdirKey;

/** Stable JSON: object keys sorted, so equal inputs always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/** Key of a stage's starting point: an empty root, or an image by ID (its config digest). */
export function baseKey(base: { kind: 'scratch' } | { kind: 'image'; imageId: string }, platform: Platform): CacheKey {
  return sha256Digest(canonicalJson({ v: 1, base, platform }));
}

/** Key of a step on top of `parent`. */
export function stepKey(parent: CacheKey, platform: Platform, step: StepKeyInput): CacheKey {
  return sha256Digest(canonicalJson({ v: 2, parent, platform, step }));
}
