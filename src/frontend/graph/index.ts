// Typed instructions → BuildGraph: ARG scoping, stage bases and names, ONBUILD
// triggers, the stages the target needs, each stage's steps and its image config.
// The solver runs the graph; nothing here touches the filesystem.
export { globalArgs, predefinedArgs } from './args.js';
export { buildGraph } from './build-graph.js';
export type {
  BuildGraph,
  ConfigStep,
  CopyStep,
  GraphOptions,
  HeredocSource,
  HistoryItem,
  RunFile,
  RunStep,
  Stage,
  StageBase,
  Step,
  StepMount,
  WorkdirStep,
} from './types.js';
export { DEFAULT_PATH, splitEnv } from './stage-state.js';
export { layoutStages } from './stages.js';
