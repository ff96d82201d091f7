import type { SourceRange } from '../frontend/index.js';
import type { RuleName } from './rules.js';

/** One violation of a build-check rule, at the instruction that breaks it. */
export interface CheckWarning {
  rule: RuleName;
  /** What the rule asks for (BuildKit's description). */
  description: string;
  /** The rule's documentation page, when BuildKit has one. */
  url?: string;
  /** What is wrong here, in one sentence (BuildKit's detail). */
  message: string;
  /** The Dockerfile's display name. */
  file: string;
  /** First line of the instruction (1-based). */
  line: number;
  range: SourceRange;
}

/** Collects warnings of one check run; the rule table fills in description and link. */
export type Report = (rule: RuleName, message: string, range: SourceRange) => void;
