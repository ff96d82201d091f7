import type { ContainerConfig, ImageConfig } from '../../image/index.js';
import type { Platform } from '../../platform.js';
import type { NetworkMode, SecurityMode } from '../instructions/types.js';
import type { RunMount } from '../instructions/mounts.js';
import type { SourceRange } from '../source.js';

/** Inputs of the graph builder, normalized by the caller. */
export interface GraphOptions {
  /** Stage to build (name or index); default: the last stage. */
  target?: string;
  /** `--build-arg` values. */
  buildArgs: Record<string, string>;
  targetPlatform: Platform;
  buildPlatform: Platform;
  /**
   * Config of a base image (for ENV used in expansion, ONBUILD triggers, USER/WORKDIR/SHELL
   * defaults); null = unknown, treated as empty.
   */
  resolveBaseConfig(ref: string, platform: Platform): Promise<ImageConfig | null>;
  /** Names given by `--build-context`: such a name replaces a stage or image of that name. */
  namedContexts?: Record<string, unknown>;
}

/** Where a stage (or a `COPY --from` / mount `from=`) takes its files from. */
export type StageBase =
  { kind: 'scratch' } | { kind: 'image'; ref: string; platform?: Platform } | { kind: 'stage'; index: number } | { kind: 'context'; name: string };

/** The stage state a step runs in. */
interface StepBase {
  range: SourceRange;
  /** The instruction as written, one logical line. */
  text: string;
  /** What progress shows, e.g. `RUN echo hi` or `COPY . /app`. */
  display: string;
  /** BuildKit's history `created_by` text for this step. */
  createdBy: string;
  /** `KEY=VAL`: image ENV plus the ARGs in scope. */
  env: string[];
  workdir: string;
  user: string;
  shell: string[];
}

/** A file written before a RUN and mounted read-only (heredoc scripts with a shebang). */
export interface RunFile {
  path: string;
  content: string;
  mode: number;
}

/** A RUN mount; `fromBase` says what `from=` names (stage, context or image). */
export type StepMount = RunMount & { fromBase?: StageBase };

export interface RunStep extends StepBase {
  kind: 'run';
  /** Final argv: SHELL + [cmd] for shell form, else the exec array. */
  args: string[];
  files: RunFile[];
  mounts: StepMount[];
  network: NetworkMode;
  security: SecurityMode;
  devices: string[];
  /** Proxy build args not declared with ARG: passed to the process, kept out of the cache key. */
  proxyEnv: string[];
}

export interface HeredocSource {
  name: string;
  /** The file content, final: already tab-stripped for `<<-` and expanded unless the delimiter was quoted. */
  content: string;
  /** True for `<<-` (informational: `content` is already stripped). */
  chomp: boolean;
}

export interface CopyStep extends StepBase {
  kind: 'copy';
  isAdd: boolean;
  sources: string[];
  heredocSources: HeredocSource[];
  dest: string;
  from?: StageBase;
  chown?: string;
  chmod?: string;
  link: boolean;
  exclude: string[];
  parents: boolean;
  checksum?: string;
  unpack?: boolean;
  keepGitDir: boolean;
}

export interface WorkdirStep extends StepBase {
  kind: 'workdir';
  /** Absolute, resolved against the previous WORKDIR; the solver creates it. */
  path: string;
}

/** An instruction that only changes the image config and history (ENV, CMD, LABEL, …). */
export interface ConfigStep extends StepBase {
  kind: 'config';
  instruction: string;
}

export type Step = RunStep | CopyStep | WorkdirStep | ConfigStep;

export interface HistoryItem {
  createdBy: string;
  emptyLayer: boolean;
}

export interface Stage {
  index: number;
  name?: string;
  range: SourceRange;
  base: StageBase;
  /**
   * The platform the stage's steps run for and its image is of: FROM --platform, else the
   * platform of the stage it builds on, else the build's target platform.
   */
  platform: Platform;
  /** Base image config as resolved (null for scratch, contexts and unknown images). */
  baseConfig: ImageConfig | null;
  steps: Step[];
  /** Stage indexes this stage needs (base, COPY --from, mount from=). */
  dependsOn: number[];
  /** The image's runtime config after all steps. */
  config: ContainerConfig;
  /** Image author set by MAINTAINER. */
  author?: string;
  history: HistoryItem[];
}

export interface BuildGraph {
  /** For error excerpts. */
  dockerfile: { name: string; lines: string[] };
  /** Stages reachable from the target, dependencies before dependents. */
  stages: Stage[];
  /** Stage.index of the target. */
  targetIndex: number;
  targetPlatform: Platform;
  buildPlatform: Platform;
}
