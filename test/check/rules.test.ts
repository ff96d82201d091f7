// One Dockerfile per BuildKit build-check rule, each taken from the rule's conditions in
// BuildKit's docs (moby/buildkit frontend/dockerfile/docs/rules/<rule>.md, cited per case)
// and checked by name, message and line; then the clean case and the check directives.
import { describe, expect, it } from 'vitest';
import { checkDockerfile, RULES, type CheckOptions, type RuleName } from '../../src/check/index.js';
import { parseDockerfile } from '../../src/frontend/index.js';
import type { ImageConfig } from '../../src/image/oci-types.js';

const amd64 = { os: 'linux', architecture: 'amd64' };
const arm64 = { os: 'linux', architecture: 'arm64' };

function image(platform: { os: string; architecture: string }, config: ImageConfig['config'] = {}): ImageConfig {
  return { ...platform, config, rootfs: { type: 'layers', diff_ids: [] } };
}

async function check(text: string, opts: Partial<CheckOptions> = {}) {
  return checkDockerfile(parseDockerfile(text), { targetPlatform: amd64, buildPlatform: amd64, ...opts });
}

async function found(text: string, opts: Partial<CheckOptions> = {}): Promise<string[]> {
  return (await check(text, opts)).warnings.map((w) => `${w.rule}@${w.line}: ${w.message}`);
}

interface Case {
  rule: RuleName;
  /** The doc the condition comes from. */
  doc: string;
  dockerfile: string;
  expected: string[];
  opts?: Partial<CheckOptions>;
}

const cases: Case[] = [
  {
    rule: 'StageNameCasing',
    doc: 'stage-name-casing.md: "FROM node:20 AS BuilderBase" is bad',
    dockerfile: 'FROM scratch AS BuilderBase\n',
    expected: ["StageNameCasing@1: Stage name 'BuilderBase' should be lowercase"],
  },
  {
    rule: 'FromAsCasing',
    doc: 'from-as-casing.md: "FROM debian:latest as builder" mixes cases',
    dockerfile: 'FROM scratch as builder\n',
    expected: ["FromAsCasing@1: 'as' and 'FROM' keywords' casing do not match"],
  },
  {
    rule: 'NoEmptyContinuation',
    doc: 'no-empty-continuation.md: an empty line inside a continued RUN',
    dockerfile: 'FROM scratch\nRUN apk add \\\n\n    gnupg \\\n    curl\n',
    expected: ['NoEmptyContinuation@5: Empty continuation line'],
  },
  {
    rule: 'ConsistentInstructionCasing',
    doc: 'consistent-instruction-casing.md: "From alpine" / "Run echo hello > /greeting.txt"',
    dockerfile: 'FROM scratch\nCOPY a /a\nRun echo hello > /greeting.txt\n',
    expected: ["ConsistentInstructionCasing@3: Command 'Run' should match the case of the command majority (uppercase)"],
  },
  {
    rule: 'DuplicateStageName',
    doc: 'duplicate-stage-name.md: two stages named builder',
    dockerfile: 'FROM scratch AS builder\nFROM scratch AS builder\n',
    expected: ['DuplicateStageName@2: Duplicate stage name "builder", stage names should be unique'],
  },
  {
    rule: 'ReservedStageName',
    doc: 'reserved-stage-name.md: "FROM alpine AS scratch" (scratch and context are reserved)',
    dockerfile: 'FROM scratch AS scratch\nFROM scratch AS context\n',
    expected: [
      'ReservedStageName@1: Stage name should not use the same name as reserved stage "scratch"',
      'ReservedStageName@2: Stage name should not use the same name as reserved stage "context"',
    ],
  },
  {
    rule: 'JSONArgsRecommended',
    doc: 'json-args-recommended.md: shell-form ENTRYPOINT/CMD without a SHELL',
    dockerfile: 'FROM scratch\nENTRYPOINT my-program start\n',
    expected: ['JSONArgsRecommended@2: JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals'],
  },
  {
    rule: 'MaintainerDeprecated',
    doc: 'maintainer-deprecated.md: MAINTAINER moby@example.com',
    dockerfile: 'FROM scratch\nMAINTAINER moby@example.com\n',
    expected: ['MaintainerDeprecated@2: Maintainer instruction is deprecated in favor of using label'],
  },
  {
    rule: 'UndefinedArgInFrom',
    doc: 'undefined-arg-in-from.md: "FROM node:22${VARIANT} AS jsbuilder" with VARIANT never declared',
    dockerfile: 'FROM node:22${VARIANT} AS jsbuilder\n',
    expected: ["UndefinedArgInFrom@1: FROM argument 'VARIANT' is not declared"],
  },
  {
    rule: 'WorkdirRelativePath',
    doc: 'workdir-relative-path.md: "WORKDIR app/" with no absolute WORKDIR before',
    dockerfile: 'FROM scratch\nWORKDIR app/\nWORKDIR more\n',
    expected: ['WorkdirRelativePath@2: Relative workdir "app/" can have unexpected results if the base image changes'],
  },
  {
    rule: 'UndefinedVar',
    doc: 'undefined-var.md: "ENV PATH=$PTAH:/app/bin" (a typo of PATH)',
    dockerfile: 'FROM scratch\nENV PATH=$PTAH:/app/bin\nCOPY $SRC /app\n',
    expected: ["UndefinedVar@2: Usage of undefined variable '$PTAH' (did you mean $PATH?)", "UndefinedVar@3: Usage of undefined variable '$SRC'"],
  },
  {
    rule: 'MultipleInstructionsDisallowed',
    doc: 'multiple-instructions-disallowed.md: two ENTRYPOINTs; the first is reported',
    dockerfile: 'FROM scratch\nENTRYPOINT ["echo", "Hello, Norway!"]\nENTRYPOINT ["echo", "Hello, Sweden!"]\n',
    expected: [
      'MultipleInstructionsDisallowed@2: Multiple ENTRYPOINT instructions should not be used in the same stage because only the last one will be used',
    ],
  },
  {
    rule: 'LegacyKeyValueFormat',
    doc: 'legacy-key-value-format.md: "ENV key value" (and LABEL)',
    dockerfile: 'FROM scratch\nENV DEPS="curl git make"\nENV HOME /root\nLABEL version 1\n',
    expected: [
      'LegacyKeyValueFormat@3: "ENV key=value" should be used instead of legacy "ENV key value" format',
      'LegacyKeyValueFormat@4: "LABEL key=value" should be used instead of legacy "LABEL key value" format',
    ],
  },
  {
    rule: 'InvalidBaseImagePlatform',
    doc: 'ruleset.go RuleInvalidBaseImagePlatform: base image platform differs from the target',
    dockerfile: 'FROM busybox:latest\n',
    opts: { resolveBaseConfig: async () => image(arm64) },
    expected: ['InvalidBaseImagePlatform@1: Base image busybox:latest was pulled with platform "linux/arm64", expected "linux/amd64" for current build'],
  },
  {
    rule: 'RedundantTargetPlatform',
    doc: 'redundant-target-platform.md: "FROM --platform=$TARGETPLATFORM alpine AS builder"',
    dockerfile: 'FROM --platform=$TARGETPLATFORM alpine AS builder\n',
    expected: ['RedundantTargetPlatform@1: Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior'],
  },
  {
    rule: 'SecretsUsedInArgOrEnv',
    doc: 'secrets-used-in-arg-or-env.md: "ARG AWS_SECRET_ACCESS_KEY"; allow-listed words (public, file, version) are not secrets',
    dockerfile: 'FROM scratch\nARG AWS_SECRET_ACCESS_KEY\nENV GITHUB_TOKEN=x\nARG PUBLIC_KEY\nENV KEY_FILE=/k\n',
    expected: [
      'SecretsUsedInArgOrEnv@2: Do not use ARG or ENV instructions for sensitive data (ARG "AWS_SECRET_ACCESS_KEY")',
      'SecretsUsedInArgOrEnv@3: Do not use ARG or ENV instructions for sensitive data (ENV "GITHUB_TOKEN")',
    ],
  },
  {
    rule: 'InvalidDefaultArgInFrom',
    doc: 'invalid-default-arg-in-from.md: "ARG TAG" without a default, then "FROM busybox:${TAG}"',
    dockerfile: 'ARG TAG\nFROM busybox:${TAG}\n',
    expected: ['InvalidDefaultArgInFrom@2: Default value for ARG busybox:${TAG} results in empty or invalid base image name'],
  },
  {
    rule: 'FromPlatformFlagConstDisallowed',
    doc: 'from-platform-flag-const-disallowed.md: "FROM --platform=linux/amd64 alpine AS base"; allowed when the stage name names the platform',
    dockerfile: 'FROM --platform=linux/amd64 alpine AS base\nFROM --platform=linux/arm64 alpine AS build_arm64\n',
    expected: ['FromPlatformFlagConstDisallowed@1: FROM --platform flag should not use constant value "linux/amd64"'],
  },
  {
    rule: 'CopyIgnoredFile',
    doc: 'copy-ignored-file.md: COPY of a path that .dockerignore excludes',
    dockerfile: 'FROM scratch\nCOPY ./tmp/file.txt /a\nADD secret.txt /b\nCOPY kept.txt /c\n',
    opts: { ignorePatterns: ['tmp/', 'secret.txt'] },
    expected: [
      'CopyIgnoredFile@2: Attempting to Copy file "tmp/file.txt" that is excluded by .dockerignore',
      'CopyIgnoredFile@3: Attempting to Add file "secret.txt" that is excluded by .dockerignore',
    ],
  },
  {
    rule: 'InvalidDefinitionDescription',
    doc: 'invalid-definition-description.md (experimental): "# bar this is the bar" above "ARG foo=bar"',
    dockerfile:
      '# check=experimental=InvalidDefinitionDescription\nFROM scratch\n# bar this is the bar\nARG foo=bar\n# base this is the base stage\nFROM scratch AS base\n',
    expected: ['InvalidDefinitionDescription@4: Comment for ARG should follow the format: `# foo <description>`'],
  },
  {
    rule: 'ExposeProtoCasing',
    doc: 'expose-proto-casing.md: "EXPOSE 80/TcP"',
    dockerfile: 'FROM scratch\nEXPOSE 80/TcP\n',
    expected: ["ExposeProtoCasing@2: Defined protocol '80/TcP' in EXPOSE instruction should be lowercase"],
  },
  {
    rule: 'ExposeInvalidFormat',
    doc: 'expose-invalid-format.md: "EXPOSE 127.0.0.1:80:80" and "EXPOSE 80:80"',
    dockerfile: 'FROM scratch\nEXPOSE 127.0.0.1:80:80\nEXPOSE 8080:80/tcp\n',
    expected: [
      "ExposeInvalidFormat@2: EXPOSE instruction should not define an IP address or host-port mapping, found '127.0.0.1:80:80'",
      "ExposeInvalidFormat@3: EXPOSE instruction should not define an IP address or host-port mapping, found '8080:80/tcp'",
    ],
  },
];

describe('each BuildKit build-check rule', () => {
  it('has a case below for every rule in the table', () => {
    expect(cases.map((c) => c.rule).sort()).toEqual(Object.keys(RULES).sort());
  });

  for (const c of cases) {
    it(`${c.rule} (${c.doc})`, async () => {
      expect(await found(c.dockerfile, c.opts)).toEqual(c.expected);
    });
  }

  it('gives each warning its rule description and documentation link', async () => {
    const [w] = (await check('FROM scratch as base\n')).warnings;
    expect(w).toMatchObject({
      rule: 'FromAsCasing',
      description: "The 'as' keyword should match the case of the 'from' keyword",
      url: 'https://docs.docker.com/go/dockerfile/rule/from-as-casing/',
      file: 'Dockerfile',
      line: 1,
    });
  });
});

describe('what the rules leave alone', () => {
  it('passes a clean multi-stage Dockerfile', async () => {
    const text = [
      'ARG VERSION=1.0',
      'FROM busybox:latest AS tools',
      'ARG VERSION',
      'ENV APP_HOME=/app',
      'WORKDIR $APP_HOME',
      'RUN echo "$VERSION" > version.txt',
      'FROM busybox:latest AS assets',
      'COPY assets/ /assets/',
      'FROM busybox:latest',
      'COPY --from=tools /app/version.txt /out/',
      'COPY --from=assets /assets /out/assets',
      'EXPOSE 8080/tcp',
      'HEALTHCHECK CMD ["true"]',
      'ENTRYPOINT ["cat"]',
      'CMD ["/out/version.txt"]',
      '',
    ].join('\n');
    const result = await check(text, { resolveBaseConfig: async () => image(amd64, { Env: ['PATH=/bin'] }), ignorePatterns: ['*.md'] });
    expect(result).toEqual({ warnings: [], failed: false });
  });

  it('takes variables from the base image and from a parent stage, and declared ARGs without a value', async () => {
    const text = 'FROM busybox AS base\nENV A=1\nARG B\nFROM base\nCOPY $A$B$GOPATH /x\n';
    const base = image(amd64, { Env: ['GOPATH=/go'] });
    expect(await found(text, { resolveBaseConfig: async () => base })).toEqual([]);
  });

  it('accepts shell-form CMD after SHELL, as BuildKit does', async () => {
    expect(await found('FROM scratch\nSHELL ["/bin/bash", "-c"]\nCMD echo hi\n')).toEqual([]);
  });

  it('does not check .dockerignore with ! exceptions (BuildKit cannot decide those statically)', async () => {
    expect(await found('FROM scratch\nCOPY tmp/a /a\n', { ignorePatterns: ['tmp', '!tmp/a'] })).toEqual([]);
  });
});

describe('check directives', () => {
  const bad = 'FROM scratch as base\nMAINTAINER me\n';

  it('# check=skip=Rule1,Rule2 skips those rules only', async () => {
    expect(await found(`# check=skip=FromAsCasing\n${bad}`)).toEqual([
      'MaintainerDeprecated@3: Maintainer instruction is deprecated in favor of using label',
    ]);
    expect(await found(`# check=skip=FromAsCasing,MaintainerDeprecated\n${bad}`)).toEqual([]);
  });

  it('# check=skip=all skips everything', async () => {
    expect(await check(`# check=skip=all\n${bad}`)).toEqual({ warnings: [], failed: false });
  });

  it('# check=error=true fails when there are warnings, and not when there are none', async () => {
    const failing = await check(`# check=error=true\n${bad}`);
    expect(failing.failed).toBe(true);
    expect(failing.warnings.map((w) => w.rule)).toEqual(['FromAsCasing', 'MaintainerDeprecated']);
    expect(await check('# check=error=true\nFROM scratch AS base\n')).toEqual({ warnings: [], failed: false });
  });

  it('--build-arg BUILDKIT_DOCKERFILE_CHECK replaces the directive', async () => {
    const text = `# check=error=true\n${bad}`;
    expect(await check(text, { buildArgs: { BUILDKIT_DOCKERFILE_CHECK: 'skip=all' } })).toEqual({ warnings: [], failed: false });
    const r = await check(bad, { buildArgs: { BUILDKIT_DOCKERFILE_CHECK: 'skip=MaintainerDeprecated;error=true' } });
    expect(r.failed).toBe(true);
    expect(r.warnings.map((w) => w.rule)).toEqual(['FromAsCasing']);
  });

  it('rejects a malformed BUILDKIT_DOCKERFILE_CHECK with a Dockerfile error', async () => {
    await expect(check(bad, { buildArgs: { BUILDKIT_DOCKERFILE_CHECK: 'bogus' } })).rejects.toThrow(/failed to parse BUILDKIT_DOCKERFILE_CHECK/);
  });
});

// Cases from BuildKit's own integration tests (moby/buildkit
// frontend/dockerfile/dockerfile_check_test.go), same Dockerfiles, same expected details.
describe("BuildKit's dockerfile_check_test.go cases", () => {
  const bk: [string, string, string[]][] = [
    [
      'testConsistentInstructionCasing: mixed From',
      '\nFrom scratch as base\nFROM scratch AS base2\n',
      ["ConsistentInstructionCasing@2: Command 'From' should match the case of the command majority (uppercase)"],
    ],
    [
      'testConsistentInstructionCasing: frOM among lowercase',
      '\nfrOM scratch as base\nfrom scratch as base2\n',
      ["ConsistentInstructionCasing@2: Command 'frOM' should match the case of the command majority (lowercase)"],
    ],
    [
      'testConsistentInstructionCasing: FROM among lowercase',
      '\nFROM scratch\ncopy Dockerfile /foo\ncopy Dockerfile /bar\ncopy Dockerfile /baz\n',
      ["ConsistentInstructionCasing@2: Command 'FROM' should match the case of the command majority (lowercase)"],
    ],
    ['testJSONArgsRecommended: SHELL in the parent stage', '\nFROM scratch AS base\nSHELL ["/usr/bin/customshell"]\nFROM base\nCMD mycommand\n', []],
    ['testUnmatchedVars: declared ARG without value', '\nFROM scratch\nARG foo\nCOPY Dockerfile${foo} .\n', []],
    ['testUnmatchedVars: ARG of the parent stage', '\nFROM scratch AS base\nARG foo=Dockerfile\nFROM base\nCOPY $foo .\n', []],
    [
      'testUnmatchedVars: used before its ARG',
      '\nFROM scratch\nCOPY $foo .\nARG foo=bar\nRUN echo $foo\n',
      ["UndefinedVar@3: Usage of undefined variable '$foo'"],
    ],
    [
      'testUnmatchedVars: a near name',
      '\nFROM scratch\nARG DIR_BINARIES=binaries/\nARG DIR_ASSETS=assets/\nARG DIR_CONFIG=config/\nCOPY $DIR_ASSET .\n',
      ["UndefinedVar@6: Usage of undefined variable '$DIR_ASSET' (did you mean $DIR_ASSETS?)"],
    ],
    ['testUndeclaredArg: ARG base=scratch', '\nARG base=scratch\nFROM $base\nCOPY Dockerfile .\n', []],
    ['testUndeclaredArg: predefined BUILDPLATFORM', '\nFROM --platform=$BUILDPLATFORM scratch\nCOPY Dockerfile .\n', []],
    ['testUndeclaredArg: empty default kept', '\nARG DEBUG=""\nFROM scratch${DEBUG-@bogus}\nCOPY Dockerfile .\n', []],
    [
      'testUndeclaredArg: undeclared after a declared one',
      '\nARG tag=latest\nFROM busybox:${tag}${version} AS b\nCOPY Dockerfile .\n',
      ["UndefinedArgInFrom@3: FROM argument 'version' is not declared"],
    ],
    ['testWorkdirRelativePath: absolute WORKDIR in the parent stage', '\nFROM scratch AS a\nWORKDIR /app\nFROM a AS b\nWORKDIR subdir/\n', []],
    [
      'testInvalidDefaultArgInFrom: ARG IMAGE',
      '\nARG IMAGE\nFROM $IMAGE\n',
      ['InvalidDefaultArgInFrom@3: Default value for ARG $IMAGE results in empty or invalid base image name'],
    ],
    ['testInvalidDefaultArgInFrom: valid default', '\nARG VERSION="latest"\nFROM busybox:${VERSION}\n', []],
  ];
  for (const [name, dockerfile, expected] of bk) {
    it(name, async () => {
      const opts = name.includes('IMAGE') ? { buildArgs: { IMAGE: 'busybox:latest' } } : {};
      expect(await found(dockerfile, opts)).toEqual(expected);
    });
  }
});
