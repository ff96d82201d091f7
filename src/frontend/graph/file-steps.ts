// RUN, COPY/ADD and WORKDIR: the steps that change files.
import { posix } from 'node:path';
import { InstructionProblem } from '../errors.js';
import { chompHeredocContent, parseHeredoc } from '../parser/heredoc.js';
import { parseMount } from '../instructions/mounts.js';
import type { AddInstruction, CopyInstruction, RunInstruction, WorkdirInstruction } from '../instructions/types.js';
import type { WordExpander } from './config-effects.js';
import { withShell } from './config-effects.js';
import { expansionEnv, splitEnv, stepContext, type StageState } from './stage-state.js';
import type { StageNames } from './stages.js';
import type { CopyStep, RunFile, RunStep, StepMount, WorkdirStep } from './types.js';

/** Where a single shebang heredoc script is mounted (read-only) for RUN. */
const PIPES_DIR = '/dev/pipes';

export interface FileStepContext {
  x: WordExpander & { heredoc(text: string): string };
  names: StageNames;
}

export function runStep(ins: RunInstruction, state: StageState, ctx: FileStepContext): RunStep {
  const base = stepContext(state);
  let sshIndex = 0;
  const mounts: StepMount[] = ins.mounts.map((text) => {
    const mount = parseMount(text, (v) => ctx.x.word(v), sshIndex);
    if (mount.type === 'ssh') sshIndex++;
    const resolved = resolveTarget(mount, base.workdir);
    const from = 'from' in resolved ? resolved.from : undefined;
    return from === undefined ? resolved : { ...resolved, fromBase: ctx.names.from(from, ins.range) };
  });
  const { args, files } = runArgs(ins, state.config.Shell);
  return {
    kind: 'run',
    range: ins.range,
    text: ins.text,
    display: ins.text,
    createdBy: `RUN ${runCommandString(args, state)} # buildkit`,
    ...base,
    env: withSshAuthSock(base.env, mounts),
    args,
    files,
    mounts,
    network: ins.network ?? 'default',
    security: ins.security ?? 'sandbox',
    devices: ins.devices,
    proxyEnv: state.args.undeclaredProxyEnv(),
  };
}

/** As BuildKit's llb exec: with an SSH mount, SSH_AUTH_SOCK is the first one's socket unless the env sets it. */
function withSshAuthSock(env: string[], mounts: StepMount[]): string[] {
  const ssh = mounts.find((m) => m.type === 'ssh');
  if (ssh === undefined || env.some((e) => splitEnv(e)[0] === 'SSH_AUTH_SOCK')) return env;
  return [...env, `SSH_AUTH_SOCK=${ssh.target}`];
}

/** Relative mount targets are under WORKDIR; `/` itself cannot be a mount target. */
function resolveTarget<M extends StepMount>(mount: M, workdir: string): M {
  if (!('target' in mount) || mount.target === undefined) return mount;
  const target = posix.isAbsolute(mount.target) ? posix.normalize(mount.target) : posix.join('/', workdir, mount.target);
  if (target === '/') throw new InstructionProblem(`invalid mount target ${JSON.stringify(mount.target)}`, 'mount somewhere below /');
  return { ...mount, target };
}

/**
 * The argv, with BuildKit's heredoc rules: `RUN <<EOF` alone runs the body through the
 * shell, or writes it to a file and executes it when it starts with `#!`; any other
 * heredoc line is handed to the shell with the bodies appended.
 */
function runArgs(ins: RunInstruction, shell: string[] | undefined): { args: string[]; files: RunFile[] } {
  const cmd = ins.command;
  const files: RunFile[] = [];
  let args = cmd.args;
  const [first] = cmd.files;
  if (first) {
    if (args.length !== 1 || !cmd.prependShell) {
      throw new InstructionProblem(`parsing produced an invalid run command: ${JSON.stringify(args)}`, 'use shell form with heredocs');
    }
    if (parseHeredoc(args[0] ?? '')) {
      const data = first.chomp ? chompHeredocContent(first.data) : first.data;
      if (data.startsWith('#!')) {
        const path = posix.join(PIPES_DIR, first.name);
        files.push({ path, content: data, mode: 0o755 });
        args = [path];
      } else {
        args = [data];
      }
    } else {
      args = [cmd.files.reduce((full, f) => `${full}\n${f.data}${f.name}`, args[0] ?? '')];
    }
  }
  return { args: withShell({ ...cmd, args }, shell), files };
}

/** BuildKit's runCommandString: declared ARGs as `|N K=V …` before the argv. */
function runCommandString(args: string[], state: StageState): string {
  const env = expansionEnv(state);
  const pairs = state.args.declarations().map(([k, v]) => `${k}=${env.get(k) ?? v ?? ''}`);
  const argv = args.join(' ');
  return pairs.length ? `|${pairs.length} ${pairs.join(' ')} ${argv}` : argv;
}

export function copyStep(ins: CopyInstruction | AddInstruction, state: StageState, ctx: FileStepContext): CopyStep {
  const { x } = ctx;
  const sources = ins.sources.map((s) => x.word(s));
  const dest = x.word(ins.dest);
  const heredocSources = ins.heredocSources.map((h) => ({
    name: h.name,
    content: h.expand ? x.heredoc(h.data) : h.data,
    chomp: h.chomp,
  }));
  const from = ins.kind === 'copy' && ins.from !== undefined ? ins.from : undefined;
  const keyword = ins.kind === 'copy' ? 'COPY' : 'ADD';
  if (ins.kind === 'copy' && sources.some((s) => /^https?:\/\//i.test(s))) {
    throw new InstructionProblem("source can't be a URL for COPY", 'use ADD to download a URL');
  }
  const paths = [...sources, ...heredocSources.map((h) => `<<${h.name}`)];
  const flags = [
    from === undefined ? '' : `--from=${from}`,
    ins.chown === undefined ? '' : `--chown=${x.word(ins.chown)}`,
    ins.chmod === undefined ? '' : `--chmod=${x.word(ins.chmod)}`,
    ins.link ? '--link' : '',
  ].filter(Boolean);
  // BuildKit's dispatchCopy records these flags in history, in this order, and no others.
  const [chown, chmod] = [ins.chown, ins.chmod].map((v) => (v === undefined ? '' : x.word(v)));
  const historyFlags = [ins.kind === 'copy' && ins.parents ? '--parents' : '', chown ? `--chown=${chown}` : '', chmod ? `--chmod=${chmod}` : ''].filter(
    Boolean,
  );
  return {
    kind: 'copy',
    range: ins.range,
    text: ins.text,
    display: [keyword, ...flags, ...paths, dest].join(' '),
    createdBy: `${[keyword, ...historyFlags, ...sources, ...heredocSources.map((h) => `<<${h.name}`), dest].join(' ')} # buildkit`,
    ...stepContext(state),
    isAdd: ins.kind === 'add',
    sources,
    heredocSources,
    dest,
    ...(from === undefined ? {} : { from: ctx.names.from(from, ins.range) }),
    ...(ins.chown === undefined ? {} : { chown: x.word(ins.chown) }),
    ...(ins.chmod === undefined ? {} : { chmod: x.word(ins.chmod) }),
    link: ins.link,
    exclude: ins.exclude.map((e) => x.word(e)),
    parents: ins.kind === 'copy' ? ins.parents : false,
    ...(ins.kind === 'add' && ins.checksum !== undefined ? { checksum: x.word(ins.checksum) } : {}),
    ...(ins.kind === 'add' && ins.unpack !== undefined ? { unpack: ins.unpack } : {}),
    keepGitDir: ins.kind === 'add' ? ins.keepGitDir : false,
  };
}

/**
 * WORKDIR: resolved against the previous one and recorded in the config. As BuildKit's
 * NormalizeWorkdir, an absolute path is recorded as written (`/usr/src/app/` keeps its
 * slash) and a relative one is joined and cleaned; the directory made is the clean path.
 */
export function workdirStep(ins: WorkdirInstruction, state: StageState, ctx: FileStepContext): WorkdirStep {
  const context = stepContext(state);
  const requested = ctx.x.word(ins.path);
  const recorded = posix.isAbsolute(requested) ? requested : withoutTrailingSlash(posix.join('/', context.workdir, requested));
  state.config.WorkingDir = recorded;
  return {
    kind: 'workdir',
    range: ins.range,
    text: ins.text,
    display: `WORKDIR ${recorded}`,
    createdBy: `WORKDIR ${recorded}`,
    ...context,
    path: withoutTrailingSlash(posix.normalize(recorded)),
  };
}

function withoutTrailingSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}
