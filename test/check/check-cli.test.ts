// `tsbuild build --check` and the checks of a normal build, through the built CLI on a
// store holding busybox:latest.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/api.js';
import { e2eEnv, tsbuild, type E2eEnv } from '../e2e/helpers.js';

let env: E2eEnv;
beforeAll(async () => {
  env = await e2eEnv('e2e');
});
afterAll(() => env?.dispose());

/** A context directory holding `dockerfile` (and `files`). */
function context(name: string, dockerfile: string, files: Record<string, string> = {}): string {
  const dir = join(env.work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  return dir;
}

/** `REPOSITORY TAG ID` of every image in the store (the CREATED column moves with the clock). */
const images = (): string =>
  tsbuild(['images'], { root: env.root })
    .stdout.split('\n')
    .map((l) => l.split(/\s+/).slice(0, 3).join(' '))
    .join('\n');

// Ten rules broken, each on its own line.
const TEN_RULES = [
  'ARG TAG',
  'FROM busybox:${TAG} as Builder', // 2: StageNameCasing, FromAsCasing, InvalidDefaultArgInFrom
  'MAINTAINER me@example.com', // 3: MaintainerDeprecated
  'ENV DB_PASSWORD hunter2', // 4: LegacyKeyValueFormat, SecretsUsedInArgOrEnv
  'WORKDIR app', // 5: WorkdirRelativePath
  'COPY $SRC /app/', // 6: UndefinedVar
  'EXPOSE 8080/TCP', // 7: ExposeProtoCasing
  'CMD echo hi', // 8: JSONArgsRecommended
  'FROM busybox:latest AS builder', // 9: DuplicateStageName
  '',
].join('\n');

describe('tsbuild build --check', () => {
  it('names each broken rule at its line, exits 1 and builds nothing', () => {
    const before = images();
    const out = tsbuild(['build', '--check', '-t', 'never:built', context('ten', TEN_RULES)], { root: env.root });
    expect(out.status).toBe(1);
    const named = [...out.stdout.matchAll(/^WARNING: (\w+) - (\S+)\n.*\nDockerfile:(\d+)$/gm)].map((m) => `${m[1]}@${m[3]}`);
    expect(named).toEqual([
      'StageNameCasing@2',
      'FromAsCasing@2',
      'InvalidDefaultArgInFrom@2',
      'MaintainerDeprecated@3',
      'LegacyKeyValueFormat@4',
      'SecretsUsedInArgOrEnv@4',
      'WorkdirRelativePath@5',
      'UndefinedVar@6',
      'ExposeProtoCasing@7',
      'JSONArgsRecommended@8',
      'DuplicateStageName@9',
    ]);
    expect(out.stdout).toContain('WARNING: UndefinedVar - https://docs.docker.com/go/dockerfile/rule/undefined-var/\n');
    expect(out.stdout).toContain('   6 | >>> COPY $SRC /app/\n');
    expect(out.stdout).toMatch(/^Check complete, 11 warnings have been found!/);
    expect(images()).toBe(before);
    expect(images()).not.toContain('never');
  });

  it('passes a clean multi-stage Dockerfile with exit 0', () => {
    const clean =
      'FROM busybox:latest AS a\nRUN true\nFROM busybox:latest AS b\nRUN true\nFROM busybox:latest\nCOPY --from=a /bin/true /a\nCOPY --from=b /bin/true /b\nCMD ["/a"]\n';
    const out = tsbuild(['build', '--check', context('clean', clean)], { root: env.root });
    expect(out.stdout).toBe('Check complete, no warnings found.\n');
    expect(out.status).toBe(0);
  });

  it('reports CopyIgnoredFile from the context .dockerignore', () => {
    const dir = context('ignored', 'FROM busybox:latest\nCOPY notes.txt /\n', { '.dockerignore': 'notes.txt\n', 'notes.txt': 'x' });
    const out = tsbuild(['build', '--check', dir], { root: env.root });
    expect(out.status).toBe(1);
    expect(out.stdout).toContain('Attempting to Copy file "notes.txt" that is excluded by .dockerignore');
  });

  it('writes JSON lines under --progress rawjson', () => {
    const out = tsbuild(['build', '--check', '--progress', 'rawjson', context('json', 'FROM busybox:latest as x\n')], { root: env.root });
    expect(out.status).toBe(1);
    const lines = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; warning: { rule: string; line: number; url: string } });
    expect(lines).toEqual([
      {
        type: 'check-warning',
        warning: expect.objectContaining({ rule: 'FromAsCasing', line: 1, url: 'https://docs.docker.com/go/dockerfile/rule/from-as-casing/' }),
      },
    ]);
  });

  it('is the API check(), with the Dockerfile lines for excerpts', async () => {
    const result = await check({ context: context('api', 'FROM busybox:latest\nWORKDIR rel\n'), root: env.root });
    expect(result.warnings.map((w) => `${w.rule}@${w.line}`)).toEqual(['WorkdirRelativePath@2']);
    expect(result.dockerfile.lines).toEqual(['FROM busybox:latest', 'WORKDIR rel']);
  });
});

describe('checks during a normal build', () => {
  it('builds and ends with the summary: N warnings found', () => {
    const out = tsbuild(['build', '--progress', 'plain', '-t', 'warned:1', context('warned', 'FROM busybox:latest as base\nRUN echo hi > /x\n')], {
      root: env.root,
    });
    expect(out.status).toBe(0);
    expect(out.stderr).toContain("1 warning found:\n - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)\n");
    expect(images()).toContain('warned');
  });

  it('# check=error=true stops the build before any step, naming the rules', () => {
    const out = tsbuild(
      ['build', '--progress', 'plain', '-t', 'stopped:1', context('stopped', '# check=error=true\nFROM busybox:latest as base\nRUN echo hi > /x\n')],
      { root: env.root },
    );
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain('WARNING: FromAsCasing - https://docs.docker.com/go/dockerfile/rule/from-as-casing/');
    expect(out.stderr).toContain('ERROR: lint violation found for rules: FromAsCasing');
    expect(out.stderr).not.toMatch(/^#\d+ .*RUN echo hi/m);
    expect(images()).not.toContain('stopped');
  });

  it('--build-arg BUILDKIT_DOCKERFILE_CHECK=skip=… overrides the directive', () => {
    const dir = context('override', '# check=error=true\nFROM busybox:latest as base\nRUN echo hi > /y\n');
    const out = tsbuild(['build', '--progress', 'plain', '--build-arg', 'BUILDKIT_DOCKERFILE_CHECK=skip=FromAsCasing', '-t', 'override:1', dir], {
      root: env.root,
    });
    expect(out.status).toBe(0);
    expect(out.stderr).not.toContain('warning');
  });
});
