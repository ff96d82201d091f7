// Casing rules, read from the parse tree where keywords keep the case they were written in
// (BuildKit: instructions/parse.go isLowerCaseStageName, doesFromCaseMatchAsCase;
// dockerfile2llb/validations.go validateCommandCasing).
import type { Node } from '../frontend/index.js';
import type { Report } from './types.js';

const isLower = (s: string): boolean => s === s.toLowerCase();
const isUpper = (s: string): boolean => s === s.toUpperCase();

/** StageNameCasing and FromAsCasing for one `FROM image AS name`. */
export function checkFromCasing(node: Node, report: Report): void {
  if (node.args.length !== 3) return;
  const [, as = '', name = ''] = node.args;
  if (!isLower(name)) report('StageNameCasing', `Stage name '${name}' should be lowercase`, node.range);
  // A FROM keyword of mixed case is ConsistentInstructionCasing's business, not this rule's.
  const from = node.keyword;
  const matches = isLower(from) ? isLower(as) : isUpper(from) ? isUpper(as) : true;
  if (!matches) report('FromAsCasing', `'${as}' and '${from}' keywords' casing do not match`, node.range);
}

/**
 * ConsistentInstructionCasing: every keyword from the first FROM on must be all lower or all
 * upper case, and match the majority (upper on a tie). BuildKit counts only stage
 * instructions, so global ARGs before the first FROM neither vote nor get warned.
 */
export function checkInstructionCasing(stageNodes: readonly Node[], report: Report): void {
  let lower = 0;
  let upper = 0;
  for (const { keyword } of stageNodes) {
    if (isLower(keyword)) lower++;
    else if (isUpper(keyword)) upper++;
  }
  const majorityLower = lower > upper;
  for (const { keyword, range } of stageNodes) {
    const wrong = majorityLower ? !isLower(keyword) : !isUpper(keyword);
    if (!wrong) continue;
    const casing = majorityLower ? 'lowercase' : 'uppercase';
    report('ConsistentInstructionCasing', `Command '${keyword}' should match the case of the command majority (${casing})`, range);
  }
}
