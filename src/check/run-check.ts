// Runs every build-check rule over one parsed Dockerfile and applies the check
// configuration (`# check=` or `--build-arg BUILDKIT_DOCKERFILE_CHECK`) as BuildKit does.
import { PatternMatcher } from '../context/index.js';
import {
  toInstructions,
  type CheckDirective,
  type EscapeToken,
  type FromInstruction,
  type ParsedDockerfile,
  type SourceRange,
  parseCheck,
  DockerfileError,
  processWord,
  globalArgs,
  predefinedArgs,
  layoutStages,
} from '../frontend/index.js';
import type { ImageConfig } from '../image/index.js';
import { formatPlatform, parsePlatform, type Platform } from '../platform.js';
import { checkFromCasing, checkInstructionCasing } from './casing.js';
import { checkDefinitionDescription, checkStageNames } from './definitions.js';
import { checkFroms, type FromScope } from './from.js';
import { RULES, type RuleName } from './rules.js';
import { checkStageBody, startScope, type StageScope, type StageStart } from './stage-body.js';
import type { CheckWarning } from './types.js';

/** The build argument that overrides the Dockerfile's `# check=` directive. */
export const CHECK_BUILD_ARG = 'BUILDKIT_DOCKERFILE_CHECK';

export interface CheckOptions {
  buildArgs?: Readonly<Record<string, string>>;
  targetPlatform: Platform;
  buildPlatform: Platform;
  /** A base image's config, or null when it cannot be had (its variables are then not checked). */
  resolveBaseConfig?: (ref: string) => Promise<ImageConfig | null>;
  /** The .dockerignore patterns of the context (none: CopyIgnoredFile has nothing to check). */
  ignorePatterns?: readonly string[];
}

export interface CheckResult {
  warnings: CheckWarning[];
  /** `error=true` is in effect and there are warnings: the build must fail. */
  failed: boolean;
}

/** Checks `parsed`; throws DockerfileError only where the build itself would fail to read it. */
export async function checkDockerfile(parsed: ParsedDockerfile, opts: CheckOptions): Promise<CheckResult> {
  const buildArgs = opts.buildArgs ?? {};
  const config = checkConfig(parsed, buildArgs);
  const warnings: CheckWarning[] = [];
  const report = (rule: RuleName, message: string, range: SourceRange): void => {
    if (!enabled(config, rule)) return;
    const info = RULES[rule];
    warnings.push({
      rule,
      description: info.description,
      ...(info.url ? { url: info.url } : {}),
      message,
      file: parsed.name,
      line: range.start.line,
      range,
    });
  };

  for (const w of parsed.warnings) {
    if (w.message.startsWith('empty continuation line')) report('NoEmptyContinuation', 'Empty continuation line', w.range);
  }
  const instructions = toInstructions(parsed);
  const layout = layoutStages(instructions, parsed.name);
  const firstFrom = parsed.nodes.findIndex((n) => n.name === 'from');
  const stageNodes = parsed.nodes.slice(firstFrom);
  for (const node of stageNodes) if (node.name === 'from') checkFromCasing(node, report);
  checkInstructionCasing(stageNodes, report);

  const froms = layout.stages.map((s) => s.from);
  for (const ins of [...layout.metaArgs, ...instructions.filter((i) => i.kind === 'from' || i.kind === 'arg')]) {
    if (ins.kind === 'from' || ins.kind === 'arg') checkDefinitionDescription(ins, report);
  }
  checkStageNames(froms, report);

  const escape = parsed.directives.escape;
  const targetStage = layout.stages.at(-1)?.from.stageName ?? 'default';
  const scope: FromScope = {
    escape,
    metaArgs: layout.metaArgs,
    predefined: predefinedArgs(opts.targetPlatform, opts.buildPlatform, targetStage),
    buildArgs,
  };
  checkFroms(froms, scope, report);

  const globals = evaluateGlobals(scope);
  const ignore = ignoreMatcher(opts.ignorePatterns ?? []);
  const scopes = new Map<string, StageScope>();
  for (const stage of layout.stages) {
    const start = await stageStart(stage.from, { globals, scopes, escape }, opts, report);
    const stageScope = startScope(start);
    checkStageBody(stage.body, stageScope, { escape, globals, buildArgs, ignore, report });
    if (stage.from.stageName !== undefined) scopes.set(stage.from.stageName, stageScope);
  }

  const unique = dedupe(warnings).sort((a, b) => a.line - b.line);
  return { warnings: unique, failed: config.error && unique.length > 0 };
}

/** BUILDKIT_DOCKERFILE_CHECK, when given, replaces the directive entirely. */
function checkConfig(parsed: ParsedDockerfile, buildArgs: Readonly<Record<string, string>>): CheckDirective {
  const none: CheckDirective = { skip: [], error: false };
  if (!Object.hasOwn(buildArgs, CHECK_BUILD_ARG)) return parsed.directives.check ?? none;
  const value = (buildArgs[CHECK_BUILD_ARG] ?? '').trim();
  try {
    return value === '' ? none : parseCheck(value);
  } catch (err) {
    throw new DockerfileError(`failed to parse ${CHECK_BUILD_ARG}: ${(err as Error).message}`, {
      code: 'dockerfile-directive',
      file: parsed.name,
      hint: 'use skip=<rules|all>;error=<true|false>',
      cause: err,
    });
  }
}

function enabled(config: CheckDirective, rule: RuleName): boolean {
  const listed = (set: string[] | 'all' | undefined): boolean => set === 'all' || (set ?? []).includes(rule);
  return RULES[rule].experimental ? listed(config.experimental) : !listed(config.skip);
}

function evaluateGlobals(scope: FromScope): Map<string, string> {
  try {
    return globalArgs(
      scope.metaArgs.flatMap((a) => a.args),
      scope.predefined,
      scope.buildArgs,
      (v, env) => processWord(v, env, { escapeToken: scope.escape }).value,
    );
  } catch {
    return new Map(scope.predefined);
  }
}

/** BuildKit skips CopyIgnoredFile when the ignore file has `!` exceptions: too hard to decide statically. */
function ignoreMatcher(patterns: readonly string[]): { matcher: PatternMatcher; rootIgnored: boolean } | null {
  if (patterns.length === 0 || patterns.some((p) => p.trim().startsWith('!'))) return null;
  try {
    const matcher = new PatternMatcher(patterns);
    const rootIgnored = patterns.some((p) => ['*', '**', '**/*'].includes(p.trim()));
    return { matcher, rootIgnored };
  } catch {
    return null;
  }
}

async function stageStart(
  from: FromInstruction,
  known: { globals: ReadonlyMap<string, string>; scopes: ReadonlyMap<string, StageScope>; escape: EscapeToken },
  opts: CheckOptions,
  report: (rule: RuleName, message: string, range: SourceRange) => void,
): Promise<StageStart> {
  const { globals, scopes } = known;
  let image: string;
  try {
    image = processWord(from.image, globals, { escapeToken: known.escape }).value;
  } catch {
    return { kind: 'unknown' };
  }
  const parent = scopes.get(image.toLowerCase());
  if (parent) return { kind: 'stage', scope: parent };
  if (image === 'scratch') return { kind: 'scratch' };
  const config = opts.resolveBaseConfig ? await opts.resolveBaseConfig(image).catch(() => null) : null;
  if (!config) return { kind: 'unknown' };
  let expected = opts.targetPlatform;
  if (from.platform !== undefined) {
    try {
      expected = parsePlatform(processWord(from.platform, globals, { escapeToken: known.escape }).value);
    } catch {
      // an unparsable --platform fails the build with its own error
    }
  }
  if (config.os !== expected.os || config.architecture !== expected.architecture) {
    const actual = formatPlatform({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) });
    report(
      'InvalidBaseImagePlatform',
      `Base image ${image} was pulled with platform "${actual}", expected "${formatPlatform(expected)}" for current build`,
      from.range,
    );
  }
  return { kind: 'image', config };
}

function dedupe(warnings: CheckWarning[]): CheckWarning[] {
  const seen = new Set<string>();
  return warnings.filter((w) => {
    const key = `${w.rule}\0${w.line}\0${w.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
