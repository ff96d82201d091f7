// Build checks (`--check`): BuildKit's lint rules by their names and meanings, run
// over the parsed Dockerfile without building, with the # check= directive's skip/error.
// Rules only read the parse results; they never touch the store or the context's files.
export { checkDockerfile, CHECK_BUILD_ARG, type CheckOptions, type CheckResult } from './run-check.js';
export { formatCheckReport, formatWarning, formatWarningSummary } from './format.js';
export { RULES, isRuleName, type RuleInfo, type RuleName } from './rules.js';
export type { CheckWarning } from './types.js';
export { CheckFailedError } from './errors.js';
export { checkForBuild, runChecks, type CheckInputs, type DockerfileCheck } from './check-build.js';
