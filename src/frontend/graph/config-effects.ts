// Instructions that only change the image config: their effect on the stage state
// and the history text BuildKit records for them.
import { assertNever } from '../../errors.js';
import { goQuoteList } from '../parser/go-quote.js';
import { InstructionProblem } from '../errors.js';
import type {
  ArgInstruction,
  CmdInstruction,
  EntrypointInstruction,
  EnvInstruction,
  ExposeInstruction,
  HealthcheckInstruction,
  LabelInstruction,
  MaintainerInstruction,
  OnbuildInstruction,
  ShellInstruction,
  StopSignalInstruction,
  UserInstruction,
  VolumeInstruction,
} from '../instructions/types.js';
import type { CommandLine } from '../instructions/types.js';
import { goList, healthcheckHistory } from './go-format.js';
import { DEFAULT_SHELL, setEnv, type StageState } from './stage-state.js';
import { parseExposedPort, checkStopSignal } from './port-signal.js';

export type ConfigInstruction =
  | EnvInstruction
  | LabelInstruction
  | ArgInstruction
  | ExposeInstruction
  | VolumeInstruction
  | UserInstruction
  | StopSignalInstruction
  | HealthcheckInstruction
  | ShellInstruction
  | OnbuildInstruction
  | MaintainerInstruction
  | CmdInstruction
  | EntrypointInstruction;

/** Substitution for one instruction: every call sees the env from before the instruction. */
export interface WordExpander {
  word(text: string): string;
  words(text: string): string[];
}

/** Applies a config instruction to `state` and returns its history `created_by`. */
export function applyConfig(ins: ConfigInstruction, state: StageState, x: WordExpander): string {
  const c = state.config;
  switch (ins.kind) {
    case 'env': {
      const pairs = ins.pairs.map((p) => [x.word(p.key), x.word(p.value)] as const);
      for (const [k, v] of pairs) {
        c.Env = setEnv(c.Env ?? [], k, v);
        state.args.envSet(k);
      }
      return `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`;
    }
    case 'label': {
      const pairs = ins.pairs.map((p) => [x.word(p.key), x.word(p.value)] as const);
      c.Labels = { ...c.Labels, ...Object.fromEntries(pairs) };
      return `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`;
    }
    case 'arg': {
      // BuildKit's dispatchArg records the value each ARG got, not its default.
      const recorded = ins.args.map((decl) => {
        const value = state.args.declare(decl, (v) => x.word(v));
        return value === undefined ? decl.name : `${decl.name}=${value}`;
      });
      return `ARG ${recorded.join(' ')}`;
    }
    case 'expose': {
      const ports = ins.ports.flatMap((p) => x.words(p)).flatMap(parseExposedPort);
      c.ExposedPorts = { ...c.ExposedPorts, ...Object.fromEntries(ports.map((p) => [p, {}])) };
      // Current BuildKit (98eab3257, 2025) records the parsed list, not the old map.
      return `EXPOSE [${ports.join(' ')}]`;
    }
    case 'volume': {
      const paths = ins.paths.map((p) => x.word(p));
      if (paths.some((p) => p === '')) throw new InstructionProblem('VOLUME specified can not be an empty string', 'remove the empty path');
      c.Volumes = { ...c.Volumes, ...Object.fromEntries(paths.map((p) => [p, {}])) };
      return `VOLUME ${goList(paths)}`;
    }
    case 'user':
      c.User = x.word(ins.user);
      return `USER ${c.User}`;
    case 'stopsignal':
      c.StopSignal = checkStopSignal(x.word(ins.signal));
      return `STOPSIGNAL ${c.StopSignal}`;
    case 'healthcheck':
      c.Healthcheck = healthConfig(ins);
      return healthcheckHistory(ins);
    case 'shell':
      c.Shell = [...ins.shell];
      return `SHELL ${goList(ins.shell)}`;
    case 'onbuild':
      c.OnBuild = [...(c.OnBuild ?? []), ins.expression];
      return `ONBUILD ${ins.expression}`;
    case 'maintainer':
      state.author = ins.maintainer;
      return `MAINTAINER ${ins.maintainer}`;
    case 'cmd':
      c.Cmd = withShell(ins.command, c.Shell);
      // BuildKit's dispatchCmd sets it for both forms.
      c.ArgsEscaped = true;
      state.cmdSet = true;
      return `CMD ${goQuoteList(c.Cmd)}`;
    case 'entrypoint': {
      // `ENTRYPOINT []` clears the entrypoint.
      const empty = !ins.command.prependShell && ins.command.args.length === 0;
      c.Entrypoint = empty ? null : withShell(ins.command, c.Shell);
      // A CMD inherited from the base image no longer applies to a new ENTRYPOINT.
      if (!state.cmdSet) c.Cmd = null;
      return `ENTRYPOINT ${goQuoteList(c.Entrypoint ?? [])}`;
    }
    default:
      return assertNever(ins, 'config instruction');
  }
}

/** Shell form runs under the stage's SHELL as one string; exec form is used as is. */
export function withShell(command: CommandLine, shell: string[] | undefined): string[] {
  return command.prependShell ? [...(shell ?? DEFAULT_SHELL), command.args.join(' ')] : [...command.args];
}

function healthConfig(h: HealthcheckInstruction): NonNullable<StageState['config']['Healthcheck']> {
  if (h.test[0] === 'NONE') return { Test: ['NONE'] };
  return {
    Test: [...h.test],
    ...(h.interval ? { Interval: h.interval } : {}),
    ...(h.timeout ? { Timeout: h.timeout } : {}),
    ...(h.startPeriod ? { StartPeriod: h.startPeriod } : {}),
    ...(h.startInterval ? { StartInterval: h.startInterval } : {}),
    ...(h.retries ? { Retries: h.retries } : {}),
  };
}
