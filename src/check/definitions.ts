// Rules about what stages and ARGs are called and described (BuildKit:
// dockerfile2llb/validations.go validateStageNames; instructions/parse.go
// validateDefinitionDescription).
import type { ArgInstruction, FromInstruction } from '../frontend/index.js';
import type { Report } from './types.js';

/** `context` and `scratch` mean something else in FROM and --from. */
const RESERVED = new Set(['context', 'scratch']);

/** DuplicateStageName (at the later stage) and ReservedStageName. */
export function checkStageNames(froms: readonly FromInstruction[], report: Report): void {
  const seen = new Set<string>();
  for (const from of froms) {
    const name = from.stageName;
    if (name === undefined) continue;
    if (RESERVED.has(name)) report('ReservedStageName', `Stage name should not use the same name as reserved stage "${name}"`, from.range);
    if (seen.has(name)) report('DuplicateStageName', `Duplicate stage name "${name}", stage names should be unique`, from.range);
    seen.add(name);
  }
}

/**
 * InvalidDefinitionDescription: a comment directly above `FROM … AS name` or `ARG name`
 * describes it, so its first word must be that name.
 */
export function checkDefinitionDescription(ins: FromInstruction | ArgInstruction, report: Report): void {
  const last = ins.comments.at(-1);
  const keys = ins.kind === 'from' ? (ins.stageName === undefined ? [] : [ins.stageName]) : ins.args.map((a) => a.name);
  if (last === undefined || keys.length === 0) return;
  if (keys.includes(last.split(' ')[0] ?? '')) return;
  const example = keys.length > 1 ? '<arg_key>' : keys[0]!;
  report('InvalidDefinitionDescription', `Comment for ${ins.kind.toUpperCase()} should follow the format: \`# ${example} <description>\``, ins.range);
}
