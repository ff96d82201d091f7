// Rules about FROM lines, checked against the global ARGs (BuildKit:
// dockerfile2llb/convert.go and validations.go reportUnusedFromArgs,
// reportRedundantTargetPlatform, reportConstPlatformDisallowed,
// validateBaseImagesWithDefaultArgs).
import type { ArgInstruction, EscapeToken, FromInstruction } from '../frontend/index.js';
import { processWord, type Env, globalArgs } from '../frontend/index.js';
import { suggestName } from './suggest.js';
import { parseReference } from '../image/index.js';
import { parsePlatform } from '../platform.js';
import type { Report } from './types.js';

export interface FromScope {
  escape: EscapeToken;
  metaArgs: readonly ArgInstruction[];
  /** The predefined TARGET…/BUILD… args. */
  predefined: ReadonlyMap<string, string>;
  buildArgs: Readonly<Record<string, string>>;
}

type Expanded = { value: string; matched: Set<string>; unmatched: Set<string> };

/** Expansion for checking only: a word that does not expand is the build's error to report, not a rule's. */
function expand(word: string, env: Env, escape: EscapeToken): Expanded | undefined {
  try {
    return processWord(word, env, { escapeToken: escape });
  } catch {
    return undefined;
  }
}

function globals(scope: FromScope, buildArgs: Readonly<Record<string, string>>): Map<string, string> | undefined {
  try {
    const declarations = scope.metaArgs.flatMap((a) => a.args);
    return globalArgs(declarations, scope.predefined, buildArgs, (v, env) => {
      const r = expand(v, env, scope.escape);
      if (!r) throw new Error('unexpandable default');
      return r.value;
    });
  } catch {
    return undefined;
  }
}

/** Every FROM rule for every stage. */
export function checkFroms(froms: readonly FromInstruction[], scope: FromScope, report: Report): void {
  const withArgs = globals(scope, scope.buildArgs);
  const defaultsOnly = globals(scope, {});
  const declared = [...scope.predefined.keys(), ...scope.metaArgs.flatMap((a) => a.args.map((d) => d.name))];
  for (const from of froms) {
    if (withArgs) {
      const image = expand(from.image, withArgs, scope.escape);
      const platform = from.platform === undefined ? undefined : expand(from.platform, withArgs, scope.escape);
      for (const name of [...(image?.unmatched ?? []), ...(platform?.unmatched ?? [])]) {
        if (declared.includes(name)) continue;
        const suggestion = suggestName(name, declared);
        const hint = suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`;
        report('UndefinedArgInFrom', `FROM argument '${name}' is not declared${hint}`, from.range);
      }
      if (platform && from.platform !== undefined) checkPlatformFlag(from, platform, withArgs, report);
    }
    if (defaultsOnly) {
      const image = expand(from.image, defaultsOnly, scope.escape);
      if (image && !isReference(image.value)) {
        report('InvalidDefaultArgInFrom', `Default value for ARG ${from.image} results in empty or invalid base image name`, from.range);
      }
    }
  }
}

/** RedundantTargetPlatform for `--platform=$TARGETPLATFORM`; FromPlatformFlagConstDisallowed for a literal. */
function checkPlatformFlag(from: FromInstruction, platform: Expanded, env: Env, report: Report): void {
  const { matched, unmatched, value } = platform;
  if (matched.size === 1 && unmatched.size === 0 && matched.has('TARGETPLATFORM') && value === env.get('TARGETPLATFORM')) {
    report('RedundantTargetPlatform', `Setting platform to predefined ${from.platform} in FROM is redundant as this is the default behavior`, from.range);
  }
  if (matched.size > 0 || unmatched.size > 0) return;
  let parsed;
  try {
    parsed = parsePlatform(value);
  } catch {
    return;
  }
  // A stage named for its platform (`AS build-arm64`) pins it on purpose.
  const stage = from.stageName ?? '';
  if (stage.includes(parsed.os) || stage.includes(parsed.architecture)) return;
  report('FromPlatformFlagConstDisallowed', `FROM --platform flag should not use constant value "${value}"`, from.range);
}

function isReference(text: string): boolean {
  try {
    parseReference(text);
    return true;
  } catch {
    return false;
  }
}
