// Parsed Dockerfile → BuildGraph: ARG scoping, stage bases, ONBUILD triggers, the
// stages the target needs (dependencies first) and each stage's steps and config.
import type { ContainerConfig, ImageConfig } from '../../image/index.js';
import type { Platform } from '../../platform.js';
import type { ParsedDockerfile } from '../parser/ast.js';
import { DockerfileError } from '../errors.js';
import { globalArgs, predefinedArgs, StageArgs } from './args.js';
import { Expander } from './expander.js';
import { DEFAULT_PATH, setEnv, splitEnv, type StageState } from './stage-state.js';
import { addSteps } from './stage-steps.js';
import { fromReferences, layoutStages, resolveFrom, StageNames, type StageSource } from './stages.js';
import { onbuildTriggers } from './triggers.js';
import type { BuildGraph, GraphOptions, Stage, StageBase } from './types.js';
import { toInstructions } from '../instructions/parse-instruction.js';
import type { Instruction } from '../instructions/types.js';

/** A stage once its base is known: everything needed to build its steps. */
interface Prepared {
  source: StageSource;
  base: StageBase;
  baseConfig: ImageConfig | null;
  /** ONBUILD triggers of the base, then the stage's own instructions. */
  instructions: Instruction[];
  dependsOn: number[];
}

/** Plans the build of `dockerfile` for `opts.target`. */
export async function buildGraph(dockerfile: ParsedDockerfile, opts: GraphOptions): Promise<BuildGraph> {
  const file = dockerfile.name;
  const layout = layoutStages(toInstructions(dockerfile), file);
  const expander = new Expander(file, dockerfile.directives.escape);
  const targetStage = opts.target || layout.stages.at(-1)?.from.stageName || 'default';
  let globals = predefinedArgs(opts.targetPlatform, opts.buildPlatform, targetStage);
  for (const meta of layout.metaArgs) {
    globals = globalArgs(meta.args, globals, opts.buildArgs, (v, env) => expander.word(v, env, meta.range));
  }
  const froms = layout.stages.map((s) => resolveFrom(s.from, (w) => expander.word(w, globals, s.from.range), file));
  const names = new StageNames(
    froms,
    file,
    opts.namedContexts ?? {},
    layout.stages.map((s) => s.from.range),
  );
  const targetIndex = names.target(opts.target);

  // Promises are memoized so base images of sibling stages are resolved concurrently.
  const prepared = new Map<number, Promise<Prepared>>();
  const prepare = (index: number): Promise<Prepared> => {
    let p = prepared.get(index);
    if (!p) {
      p = prepareStage(index);
      prepared.set(index, p);
    }
    return p;
  };
  const prepareStage = async (index: number): Promise<Prepared> => {
    const source = layout.stages[index];
    if (!source) throw new Error(`no stage ${index}`);
    const base = names.base(index);
    const replaced = base.kind === 'context' && base.name === froms[index]?.name;
    const baseConfig = base.kind === 'image' ? await opts.resolveBaseConfig(base.ref, base.platform ?? opts.targetPlatform) : null;
    const inherited = base.kind === 'stage' ? stageOnbuild(layout.stages[base.index]) : (baseConfig?.config.OnBuild ?? []);
    const triggers = replaced ? [] : onbuildTriggers(inherited, source.from.range, file);
    const instructions = replaced ? [] : [...triggers, ...source.body];
    const deps = new Set<number>(base.kind === 'stage' ? [base.index] : []);
    for (const { ref, range } of fromReferences(instructions)) {
      const from = names.from(ref, range);
      if (from.kind === 'stage') deps.add(from.index);
    }
    return { source, base, baseConfig, instructions, dependsOn: [...deps].sort((a, b) => a - b) };
  };

  const order = await dependencyOrder(targetIndex, prepare, (i) => {
    throw new DockerfileError(`circular dependency detected on stage: ${names.nameOf(i)}`, {
      code: 'dockerfile-stage',
      file,
      range: layout.stages[i]?.from.range,
      hint: 'a stage cannot COPY --from (or mount from) itself or a stage that depends on it',
    });
  });

  const states = new Map<number, StageState>();
  const stages: Stage[] = [];
  const platforms = new Map<number, Platform>();
  for (const index of order) {
    const p = await prepare(index);
    const state = initialState(p, states, globals, opts.buildArgs);
    addSteps(p.instructions, state, { file, expander, names });
    states.set(index, state);
    const platform = froms[index]?.platform ?? (p.base.kind === 'stage' ? platforms.get(p.base.index) : undefined) ?? opts.targetPlatform;
    platforms.set(index, platform);
    stages.push({
      index,
      ...(p.source.from.stageName === undefined ? {} : { name: p.source.from.stageName }),
      range: p.source.from.range,
      base: p.base,
      platform,
      baseConfig: p.baseConfig,
      steps: state.steps,
      dependsOn: p.dependsOn,
      config: state.config,
      ...(state.author === undefined ? {} : { author: state.author }),
      history: state.history,
    });
  }
  return {
    dockerfile: { name: file, lines: dockerfile.lines },
    stages,
    targetIndex,
    targetPlatform: opts.targetPlatform,
    buildPlatform: opts.buildPlatform,
  };
}

/** The ONBUILD expressions a stage stores in its image (what `FROM <stage>` triggers). */
function stageOnbuild(source: StageSource | undefined): string[] {
  return (source?.body ?? []).flatMap((ins) => (ins.kind === 'onbuild' ? [ins.expression] : []));
}

/** Post-order walk from the target: dependencies first; a back edge is a cycle. */
async function dependencyOrder(target: number, prepare: (i: number) => Promise<Prepared>, onCycle: (i: number) => never): Promise<number[]> {
  const order: number[] = [];
  const marks = new Map<number, 'visiting' | 'done'>();
  const visit = async (i: number): Promise<void> => {
    const mark = marks.get(i);
    if (mark === 'done') return;
    if (mark === 'visiting') onCycle(i);
    marks.set(i, 'visiting');
    const { dependsOn } = await prepare(i);
    await Promise.all(dependsOn.map(prepare));
    for (const dep of dependsOn) await visit(dep);
    marks.set(i, 'done');
    order.push(i);
  };
  await visit(target);
  return order;
}

/** A stage starts from its parent stage's final state, or from its base image's config. */
function initialState(
  p: Prepared,
  states: ReadonlyMap<number, StageState>,
  globals: ReadonlyMap<string, string>,
  buildArgs: Readonly<Record<string, string>>,
): StageState {
  const parent = p.base.kind === 'stage' ? states.get(p.base.index) : undefined;
  const config: ContainerConfig = structuredClone(parent?.config ?? p.baseConfig?.config ?? {});
  // Triggers run in this stage only; grandchildren do not inherit them.
  config.OnBuild = null;
  // BuildKit's emptyImage, for scratch and for a context with no image config.
  if (parent === undefined && p.baseConfig === null && (p.base.kind === 'scratch' || p.base.kind === 'context')) config.WorkingDir = '/';
  if (!(config.Env ?? []).some((e) => splitEnv(e)[0] === 'PATH')) config.Env = setEnv(config.Env ?? [], 'PATH', DEFAULT_PATH);
  const author = parent?.author ?? p.baseConfig?.author;
  return {
    config,
    ...(author === undefined ? {} : { author }),
    args: new StageArgs(globals, buildArgs, parent?.args),
    cmdSet: false,
    steps: [],
    history: [],
  };
}
