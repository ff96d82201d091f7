// Rules checked while walking one stage's instructions in order, with the variables the
// stage can see at each point (BuildKit: dockerfile2llb/convert.go dispatch*, and
// validations.go validateUsedOnce, validateNoSecretKey, reportUnmatchedVariables,
// validateCopySourcePath; instructions/expose.go).
import type { ContainerConfig, ImageConfig } from '../image/index.js';
import type { EscapeToken, Instruction, KeyValue, SourceRange } from '../frontend/index.js';
import { processWord, type Env, DEFAULT_PATH, splitEnv } from '../frontend/index.js';
import { suggestName } from './suggest.js';
import type { PatternMatcher } from '../context/index.js';
import { goClean } from '../match/index.js';
import type { Report } from './types.js';

/** What a stage starts from, as far as the check knows it. */
export type StageStart =
  | { kind: 'scratch' }
  | { kind: 'image'; config: ImageConfig }
  /**
   * A base image that is not in the store (a check pulls nothing). Its variables are taken
   * to be PATH alone: a variable from such a base is reported as undefined, as BuildKit
   * reports one missing from a base it can read.
   */
  | { kind: 'unknown' }
  | { kind: 'stage'; scope: StageScope };

/** The variables and settings a stage has at a point of its walk. */
export interface StageScope {
  env: Map<string, string>;
  /** ARG names declared in the stage (with or without a value): never "undefined". */
  declared: Set<string>;
  /** The stage has a SHELL (its own or its base's), so shell-form CMD is deliberate. */
  shellSet: boolean;
  /** A WORKDIR ran in this stage or a parent stage: later relative ones are relative to it. */
  workdirSet: boolean;
}

export interface BodyContext {
  escape: EscapeToken;
  /** Global ARG values, for `ARG NAME` without a default in the stage. */
  globals: ReadonlyMap<string, string>;
  buildArgs: Readonly<Record<string, string>>;
  /** The context's .dockerignore when it has patterns and no `!` exceptions; else null. */
  ignore: { matcher: PatternMatcher; rootIgnored: boolean } | null;
  report: Report;
}

/** BuildKit never reports these: they configure the SBOM scanner. */
const NON_ENV_ARGS = new Set(['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE']);
const SECRET = /(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)/i;
const NOT_SECRET = /(?:_|^)(?:public|file|version)(?:_|$)/i;

export function startScope(start: StageStart): StageScope {
  if (start.kind === 'stage') {
    const s = start.scope;
    return { env: new Map(s.env), declared: new Set(s.declared), shellSet: s.shellSet, workdirSet: s.workdirSet };
  }
  const config: ContainerConfig = start.kind === 'image' ? start.config.config : {};
  const env = new Map((config.Env ?? []).map(splitEnv));
  if (!env.has('PATH')) env.set('PATH', DEFAULT_PATH);
  return { env, declared: new Set(), shellSet: (config.Shell ?? []).length > 0, workdirSet: false };
}

/** Walks one stage's instructions (after FROM), updating `scope` as the build would. */
export function checkStageBody(body: readonly Instruction[], scope: StageScope, ctx: BodyContext): void {
  const once = new Map<string, SourceRange>();
  const expand = (word: string, ins: Instruction): string => expandWord(word, ins, scope, ctx);
  for (const ins of body) {
    switch (ins.kind) {
      case 'cmd':
      case 'entrypoint':
      case 'healthcheck': {
        // The earlier one is reported: it is the one the image silently drops.
        const previous = once.get(ins.kind);
        if (previous) {
          ctx.report(
            'MultipleInstructionsDisallowed',
            `Multiple ${ins.keyword} instructions should not be used in the same stage because only the last one will be used`,
            previous,
          );
        }
        once.set(ins.kind, ins.range);
        if (ins.kind !== 'healthcheck' && ins.command.prependShell && !scope.shellSet) {
          ctx.report(
            'JSONArgsRecommended',
            `JSON arguments recommended for ${ins.keyword} to prevent unintended behavior related to OS signals`,
            ins.range,
          );
        }
        break;
      }
      case 'shell':
        scope.shellSet = true;
        break;
      case 'maintainer':
        ctx.report('MaintainerDeprecated', 'Maintainer instruction is deprecated in favor of using label', ins.range);
        break;
      case 'env':
      case 'label': {
        legacyFormat(ins.kind, ins.pairs, ins.range, ctx);
        // Every pair sees the variables from before the instruction, as in BuildKit.
        const pairs = ins.pairs.map((p) => [expand(p.key, ins), expand(p.value, ins)] as const);
        if (ins.kind === 'env') {
          for (const p of ins.pairs) secretKey('ENV', p.key, ins.range, ctx);
          for (const [k, v] of pairs) scope.env.set(k, v);
        }
        break;
      }
      case 'arg':
        for (const decl of ins.args) {
          secretKey('ARG', decl.name, ins.range, ctx);
          let value: string | undefined;
          if (Object.hasOwn(ctx.buildArgs, decl.name)) value = ctx.buildArgs[decl.name];
          else if (decl.value !== undefined) value = expand(decl.value, ins);
          else value = ctx.globals.get(decl.name);
          scope.declared.add(decl.name);
          if (value !== undefined) scope.env.set(decl.name, value);
        }
        break;
      case 'workdir': {
        const path = expand(ins.path, ins);
        if (!scope.workdirSet && !path.startsWith('/')) {
          ctx.report('WorkdirRelativePath', `Relative workdir "${path}" can have unexpected results if the base image changes`, ins.range);
        }
        scope.workdirSet = true;
        break;
      }
      case 'expose':
        for (const port of ins.ports) checkExpose(expand(port, ins), ins.range, ctx);
        break;
      case 'copy':
      case 'add': {
        const sources = ins.sources.map((s) => expand(s, ins));
        expand(ins.dest, ins);
        for (const flag of [ins.chown, ins.chmod, ...ins.exclude]) if (flag !== undefined) expand(flag, ins);
        if (ins.kind === 'add' || ins.from === undefined) {
          for (const src of sources) copyIgnored(ins.kind === 'add' ? 'Add' : 'Copy', src, ins.range, ctx);
        }
        break;
      }
      case 'user':
        expand(ins.user, ins);
        break;
      case 'volume':
        for (const p of ins.paths) expand(p, ins);
        break;
      case 'stopsignal':
        expand(ins.signal, ins);
        break;
      case 'from':
      case 'run':
      case 'onbuild':
        break;
    }
  }
}

/** Expands like the build does, reporting UndefinedVar for names neither set nor declared. */
function expandWord(word: string, ins: Instruction, scope: StageScope, ctx: BodyContext): string {
  let result: { value: string; unmatched: Set<string> };
  try {
    result = processWord(word, scope.env as Env, { escapeToken: ctx.escape });
  } catch {
    return word; // the build reports the bad expansion itself
  }
  for (const name of result.unmatched) {
    if (scope.declared.has(name) || NON_ENV_ARGS.has(name)) continue;
    const suggestion = suggestName(name, scope.env.keys());
    const hint = suggestion === undefined ? '' : ` (did you mean $${suggestion}?)`;
    ctx.report('UndefinedVar', `Usage of undefined variable '$${name}'${hint}`, ins.range);
  }
  return result.value;
}

function legacyFormat(kind: 'env' | 'label', pairs: readonly KeyValue[], range: SourceRange, ctx: BodyContext): void {
  if (!pairs.some((p) => p.noDelimiter)) return;
  const name = kind.toUpperCase();
  ctx.report('LegacyKeyValueFormat', `"${name} key=value" should be used instead of legacy "${name} key value" format`, range);
}

function secretKey(instruction: 'ARG' | 'ENV', key: string, range: SourceRange, ctx: BodyContext): void {
  if (SECRET.test(key) && !NOT_SECRET.test(key)) {
    ctx.report('SecretsUsedInArgOrEnv', `Do not use ARG or ENV instructions for sensitive data (${instruction} "${key}")`, range);
  }
}

/** `[ip:][hostPort:]containerPort[/proto]`: only the container port and a lowercase protocol belong in EXPOSE. */
function checkExpose(port: string, range: SourceRange, ctx: BodyContext): void {
  const slash = port.lastIndexOf('/');
  const proto = slash < 0 ? '' : port.slice(slash + 1);
  const spec = slash < 0 ? port : port.slice(0, slash);
  if (proto !== proto.toLowerCase()) ctx.report('ExposeProtoCasing', `Defined protocol '${port}' in EXPOSE instruction should be lowercase`, range);
  if (spec.includes(':')) {
    ctx.report('ExposeInvalidFormat', `EXPOSE instruction should not define an IP address or host-port mapping, found '${port}'`, range);
  }
}

/** CopyIgnoredFile: a local source the .dockerignore excludes never reaches the build. */
function copyIgnored(cmd: 'Copy' | 'Add', src: string, range: SourceRange, ctx: BodyContext): void {
  if (!ctx.ignore || /^[a-z][a-z0-9+.-]*:\/\//i.test(src) || src.startsWith('git@')) return;
  const cleaned = goClean(src);
  if ((cleaned === '.' || cleaned === '/') && !ctx.ignore.rootIgnored) return;
  if (ctx.ignore.matcher.matches(cleaned.replace(/^\/+/, '') || '.')) {
    ctx.report('CopyIgnoredFile', `Attempting to ${cmd} file "${cleaned}" that is excluded by .dockerignore`, range);
  }
}
