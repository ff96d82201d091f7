// Build checks: BuildKit's Dockerfile lint rules, run by `tsbuild build --check` and
// before every build.
export { checkDockerfile, CHECK_BUILD_ARG, type CheckOptions, type CheckResult } from './run-check.js';
export { formatCheckReport, formatWarning, formatWarningSummary } from './format.js';
export { RULES, isRuleName, type RuleInfo, type RuleName } from './rules.js';
export type { CheckWarning } from './types.js';
export { CheckFailedError } from './errors.js';
export { checkBuild, checkForBuild, type DockerfileCheck } from './check-build.js';
