// One stage's instructions → steps, history and final config, in order; each
// instruction's substitutions see the state from before it.
import { assertNever } from '../../errors.js';
import { DockerfileError, InstructionProblem } from '../errors.js';
import type { Instruction } from '../instructions/types.js';
import { applyConfig, type WordExpander } from './config-effects.js';
import type { Expander } from './expander.js';
import { copyStep, runStep, workdirStep, type FileStepContext } from './file-steps.js';
import { expansionEnv, stepContext, type StageState } from './stage-state.js';
import type { StageNames } from './stages.js';
import type { Step } from './types.js';

export interface StageStepsContext {
  file: string;
  expander: Expander;
  names: StageNames;
}

/** Runs `instructions` against `state`, appending steps and history. */
export function addSteps(instructions: Instruction[], state: StageState, ctx: StageStepsContext): void {
  for (const ins of instructions) {
    let step: Step;
    try {
      step = toStep(ins, state, ctx);
    } catch (err) {
      if (err instanceof InstructionProblem) {
        throw new DockerfileError(err.message, { code: err.code, file: ctx.file, range: ins.range, hint: err.hint, cause: err });
      }
      throw err;
    }
    state.steps.push(step);
    // BuildKit's dispatchOnbuild only stores the trigger: ONBUILD has no history entry.
    if (ins.kind !== 'onbuild') state.history.push({ createdBy: step.createdBy, emptyLayer: step.kind === 'config' });
  }
}

function toStep(ins: Instruction, state: StageState, ctx: StageStepsContext): Step {
  const env = expansionEnv(state);
  const x: FileStepContext['x'] & WordExpander = {
    word: (t) => ctx.expander.word(t, env, ins.range),
    words: (t) => ctx.expander.words(t, env, ins.range),
    heredoc: (t) => ctx.expander.heredoc(t, env, ins.range),
  };
  const fileCtx: FileStepContext = { x, names: ctx.names };
  switch (ins.kind) {
    case 'run':
      return runStep(ins, state, fileCtx);
    case 'copy':
    case 'add':
      return copyStep(ins, state, fileCtx);
    case 'workdir':
      return workdirStep(ins, state, fileCtx);
    case 'from':
      // layoutStages starts a new stage at every FROM and triggers cannot be FROM.
      throw new InstructionProblem('FROM inside a stage', 'this is a tsbuild bug: please report it');
    case 'env':
    case 'label':
    case 'arg':
    case 'expose':
    case 'volume':
    case 'user':
    case 'stopsignal':
    case 'healthcheck':
    case 'shell':
    case 'onbuild':
    case 'maintainer':
    case 'cmd':
    case 'entrypoint': {
      const context = stepContext(state);
      const createdBy = applyConfig(ins, state, x);
      return {
        kind: 'config',
        range: ins.range,
        text: ins.text,
        display: ins.text,
        createdBy,
        ...context,
        instruction: ins.kind.toUpperCase(),
      };
    }
    default:
      return assertNever(ins, 'instruction');
  }
}
