// BuildKit's build-check rules: names, descriptions and documentation links as BuildKit
// defines them (moby/buildkit frontend/dockerfile/linter/ruleset.go), so a warning from
// tsbuild reads and links exactly like one from `docker build --check`.

export interface RuleInfo {
  description: string;
  /** The rule's page; BuildKit gives InvalidBaseImagePlatform none. */
  url?: string;
  /** Runs only when enabled with `# check=experimental=<name>|all`, as in BuildKit. */
  experimental?: true;
}

const DOCS = 'https://docs.docker.com/go/dockerfile/rule/';

function rule(slug: string | null, description: string, experimental?: true): RuleInfo {
  return { description, ...(slug === null ? {} : { url: `${DOCS}${slug}/` }), ...(experimental ? { experimental } : {}) };
}

export const RULES = {
  StageNameCasing: rule('stage-name-casing', 'Stage names should be lowercase'),
  FromAsCasing: rule('from-as-casing', "The 'as' keyword should match the case of the 'from' keyword"),
  NoEmptyContinuation: rule('no-empty-continuation', 'Empty continuation lines will become errors in a future release'),
  ConsistentInstructionCasing: rule(
    'consistent-instruction-casing',
    'All commands within the Dockerfile should use the same casing (either upper or lower)',
  ),
  DuplicateStageName: rule('duplicate-stage-name', 'Stage names should be unique'),
  ReservedStageName: rule('reserved-stage-name', 'Reserved words should not be used as stage names'),
  JSONArgsRecommended: rule('json-args-recommended', 'JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals'),
  MaintainerDeprecated: rule('maintainer-deprecated', 'The MAINTAINER instruction is deprecated, use a label instead to define an image author'),
  UndefinedArgInFrom: rule('undefined-arg-in-from', 'FROM command must use declared ARGs'),
  WorkdirRelativePath: rule(
    'workdir-relative-path',
    'Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes',
  ),
  UndefinedVar: rule('undefined-var', 'Variables should be defined before their use'),
  MultipleInstructionsDisallowed: rule('multiple-instructions-disallowed', 'Multiple instructions of the same type should not be used in the same stage'),
  LegacyKeyValueFormat: rule('legacy-key-value-format', 'Legacy key/value format with whitespace separator should not be used'),
  InvalidBaseImagePlatform: rule(null, 'Base image platform does not match expected target platform'),
  RedundantTargetPlatform: rule(
    'redundant-target-platform',
    'Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior',
  ),
  SecretsUsedInArgOrEnv: rule('secrets-used-in-arg-or-env', 'Sensitive data should not be used in the ARG or ENV commands'),
  InvalidDefaultArgInFrom: rule('invalid-default-arg-in-from', 'Default value for global ARG results in an empty or invalid base image name'),
  FromPlatformFlagConstDisallowed: rule('from-platform-flag-const-disallowed', 'FROM --platform flag should not use a constant value'),
  CopyIgnoredFile: rule('copy-ignored-file', 'Attempting to Copy file that is excluded by .dockerignore'),
  InvalidDefinitionDescription: rule(
    'invalid-definition-description',
    'Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment.',
    true,
  ),
  ExposeProtoCasing: rule('expose-proto-casing', 'Protocol in EXPOSE instruction should be lowercase'),
  ExposeInvalidFormat: rule(
    'expose-invalid-format',
    'IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release',
  ),
} satisfies Record<string, RuleInfo>;

export type RuleName = keyof typeof RULES;

export function isRuleName(name: string): name is RuleName {
  return Object.hasOwn(RULES, name);
}
