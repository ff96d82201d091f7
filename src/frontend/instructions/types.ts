import type { NetworkMode } from '../../network-mode.js';
import type { SourceRange } from '../source.js';

export type { NetworkMode };

/** What every typed instruction carries. */
export interface InstructionBase {
  /** The instruction as written, on one logical line (e.g. `RUN echo hi`). */
  text: string;
  /** The keyword as written. */
  keyword: string;
  range: SourceRange;
  /** Comment lines directly above it. */
  comments: string[];
}

/** A heredoc body used as an inline file (RUN) or a source (COPY/ADD). */
export interface InlineFile {
  name: string;
  /** Body as written; tab-stripping for `<<-` happens where it is used. */
  data: string;
  chomp: boolean;
  /** False when the terminator was quoted: no variable expansion of the body. */
  expand: boolean;
}

/** RUN/CMD/ENTRYPOINT arguments: exec form, or one shell string plus heredoc files. */
export interface CommandLine {
  args: string[];
  /** True for shell form: the stage's SHELL is prepended at build time. */
  prependShell: boolean;
  files: InlineFile[];
}

export type SecurityMode = 'sandbox' | 'insecure';

export interface FromInstruction extends InstructionBase {
  kind: 'from';
  /** Base image, stage name or `scratch`, before ARG expansion. */
  image: string;
  /** Lowercased `AS` name. */
  stageName?: string;
  platform?: string;
}

export interface RunInstruction extends InstructionBase {
  kind: 'run';
  command: CommandLine;
  /** `--mount` values as written; typed (and expanded) by the graph builder. */
  mounts: string[];
  network?: NetworkMode;
  security?: SecurityMode;
  devices: string[];
}

export interface CmdInstruction extends InstructionBase {
  kind: 'cmd';
  command: CommandLine;
}

export interface EntrypointInstruction extends InstructionBase {
  kind: 'entrypoint';
  command: CommandLine;
}

export interface ShellInstruction extends InstructionBase {
  kind: 'shell';
  shell: string[];
}

interface FileCopyBase extends InstructionBase {
  sources: string[];
  heredocSources: InlineFile[];
  dest: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  exclude: string[];
}

export interface CopyInstruction extends FileCopyBase {
  kind: 'copy';
  from?: string;
  parents: boolean;
}

export interface AddInstruction extends FileCopyBase {
  kind: 'add';
  keepGitDir: boolean;
  checksum?: string;
  /** Undefined: ADD's default (extract local archives, not remote ones). */
  unpack?: boolean;
}

export interface KeyValue {
  key: string;
  /** The value as written (quotes kept); expansion removes them. */
  value: string;
  /** True for the legacy `ENV key value` form. */
  noDelimiter: boolean;
}

export interface EnvInstruction extends InstructionBase {
  kind: 'env';
  pairs: KeyValue[];
}

export interface LabelInstruction extends InstructionBase {
  kind: 'label';
  pairs: KeyValue[];
}

export interface ArgDeclaration {
  name: string;
  /** Default value as written; undefined for `ARG NAME`. */
  value?: string;
}

export interface ArgInstruction extends InstructionBase {
  kind: 'arg';
  args: ArgDeclaration[];
}

export interface ExposeInstruction extends InstructionBase {
  kind: 'expose';
  ports: string[];
}

export interface VolumeInstruction extends InstructionBase {
  kind: 'volume';
  paths: string[];
}

export interface UserInstruction extends InstructionBase {
  kind: 'user';
  user: string;
}

export interface WorkdirInstruction extends InstructionBase {
  kind: 'workdir';
  path: string;
}

export interface StopSignalInstruction extends InstructionBase {
  kind: 'stopsignal';
  signal: string;
}

/** HEALTHCHECK; durations are nanoseconds, 0 meaning "the default". */
export interface HealthcheckInstruction extends InstructionBase {
  kind: 'healthcheck';
  /** `["NONE"]`, `["CMD", …]` or `["CMD-SHELL", cmd]`. */
  test: string[];
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}

export interface OnbuildInstruction extends InstructionBase {
  kind: 'onbuild';
  /** The trigger text stored in the image config (heredoc bodies appended). */
  expression: string;
  trigger: Instruction;
}

export interface MaintainerInstruction extends InstructionBase {
  kind: 'maintainer';
  maintainer: string;
}

/** Every Dockerfile instruction, typed. */
export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | ShellInstruction
  | CopyInstruction
  | AddInstruction
  | EnvInstruction
  | LabelInstruction
  | ArgInstruction
  | ExposeInstruction
  | VolumeInstruction
  | UserInstruction
  | WorkdirInstruction
  | StopSignalInstruction
  | HealthcheckInstruction
  | OnbuildInstruction
  | MaintainerInstruction;

export type InstructionKind = Instruction['kind'];
