import { describe, expect, it } from 'vitest';
import { DockerfileError, parseDockerfile, toInstructions, type Instruction } from '../../src/frontend/index.js';

function typed(text: string): Instruction[] {
  return toInstructions(parseDockerfile(text));
}

function one<K extends Instruction['kind']>(text: string, kind: K): Extract<Instruction, { kind: K }> {
  const ins = typed(`FROM x\n${text}\n`)[1];
  if (ins?.kind !== kind) throw new Error(`expected ${kind}, got ${ins?.kind}`);
  return ins as Extract<Instruction, { kind: K }>;
}

function failure(text: string): DockerfileError {
  try {
    typed(text);
  } catch (err) {
    if (err instanceof DockerfileError) return err;
    throw err;
  }
  throw new Error('expected a DockerfileError');
}

describe('instruction errors', () => {
  it('names an unknown instruction and suggests the closest keyword', () => {
    const err = failure('FROM busybox\nRUNN echo hi\n');
    expect(err.message).toBe('unknown instruction: RUNN (did you mean RUN?)');
    expect(err.range?.start.line).toBe(2);
    expect(err.exitCode).toBe(2);
  });

  it('rejects flags an instruction does not accept, suggesting the closest', () => {
    expect(failure('FROM x\nCOPY --chwon=1 a b\n').message).toBe('unknown flag: --chwon (did you mean --chown?)');
    expect(failure('FROM x\nUSER --x=1 me\n').message).toBe('unknown flag: --x');
  });

  it('rejects repeated single-value flags and non-boolean values of boolean flags', () => {
    expect(failure('FROM x\nCOPY --from=a --from=b a b\n').message).toBe('duplicate flag specified: from');
    expect(failure('FROM x\nCOPY --link=maybe a b\n').message).toBe('expecting boolean value for flag link, not: maybe');
    expect(failure('FROM x\nCOPY --from a b\n').message).toBe('missing a value on flag: from');
  });

  it('forbids ONBUILD ONBUILD, ONBUILD FROM and ONBUILD MAINTAINER', () => {
    expect(failure('FROM x\nONBUILD ONBUILD RUN a\n').message).toBe("chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    expect(failure('FROM x\nONBUILD FROM y\n').message).toBe("FROM isn't allowed as an ONBUILD trigger");
    expect(failure('FROM x\nONBUILD MAINTAINER me\n').message).toBe("MAINTAINER isn't allowed as an ONBUILD trigger");
  });

  it('checks argument counts', () => {
    expect(failure('FROM a b\n').message).toBe('FROM requires either one or three arguments');
    expect(failure('FROM x\nWORKDIR\n').message).toBe('WORKDIR requires exactly one argument');
    expect(failure('FROM x\nCOPY a\n').message).toMatch(/^COPY requires at least two arguments/);
    expect(failure('FROM x\nSHELL /bin/sh -c\n').message).toBe('SHELL requires the arguments to be in JSON form');
    expect(failure('FROM x\nARG =v\n').message).toBe('ARG names can not be blank');
  });

  it('rejects stage names that start with a digit or hold symbols', () => {
    expect(failure('FROM x AS 1st\n').message).toMatch(/^invalid name for build stage: "1st"/);
  });

  it('rejects a heredoc as COPY destination and variables in --from', () => {
    expect(failure('FROM x\nCOPY a <<EOF\nb\nEOF\n').message).toBe('COPY cannot accept a heredoc as a destination');
    expect(failure('FROM x\nCOPY --from=$STAGE a b\n').message).toMatch(/^'from' doesn't support variable expansion/);
  });
});

describe('typed instructions', () => {
  it('types FROM with platform and a lowercased stage name', () => {
    expect(typed('FROM --platform=$BUILDPLATFORM golang:1 AS Build\n')[0]).toMatchObject({
      kind: 'from',
      image: 'golang:1',
      stageName: 'build',
      platform: '$BUILDPLATFORM',
    });
  });

  it('types RUN flags, keeping mount text for later expansion', () => {
    const run = one('RUN --mount=type=cache,target=/c --network=none --security=insecure make', 'run');
    expect(run).toMatchObject({ mounts: ['type=cache,target=/c'], network: 'none', security: 'insecure' });
    expect(run.command).toEqual({ args: ['make'], prependShell: true, files: [] });
  });

  it('rejects unknown RUN network modes and bad mount keys when parsing', () => {
    expect(failure('FROM x\nRUN --network=bridge a\n').message).toBe('unsupported network mode "bridge"');
    expect(failure('FROM x\nRUN --mount=type=cache,tagret=/c a\n').message).toBe("unexpected key 'tagret' in 'tagret=/c' (did you mean target?)");
  });

  it('types COPY and ADD flags', () => {
    expect(one('COPY --from=build --chown=1:1 --chmod=755 --link --parents --exclude=*.md a b /dst/', 'copy')).toMatchObject({
      from: 'build',
      chown: '1:1',
      chmod: '755',
      link: true,
      parents: true,
      exclude: ['*.md'],
      sources: ['a', 'b'],
      dest: '/dst/',
    });
    expect(one('ADD --keep-git-dir --checksum=sha256:abc --unpack=false https://x/y.tgz /y', 'add')).toMatchObject({
      keepGitDir: true,
      checksum: 'sha256:abc',
      unpack: false,
    });
    expect(failure('FROM x\nADD --checksum=sha256:a a b /d/\n').message).toBe("checksum can't be specified for multiple sources");
  });

  it('turns COPY heredocs into inline sources, tab-stripped for <<-', () => {
    const copy = one("COPY <<-a.txt <<'b.txt' /dst/\n\thello\na.txt\n$X\nb.txt", 'copy');
    expect(copy.heredocSources).toEqual([
      { name: 'a.txt', data: 'hello\n', chomp: true, expand: true },
      { name: 'b.txt', data: '$X\n', chomp: false, expand: false },
    ]);
  });

  it('types HEALTHCHECK with Go durations in nanoseconds', () => {
    expect(one('HEALTHCHECK --interval=1m30s --timeout=500ms --retries=2 CMD curl -f x', 'healthcheck')).toMatchObject({
      test: ['CMD-SHELL', 'curl -f x'],
      interval: 90e9,
      timeout: 5e8,
      startPeriod: 0,
      retries: 2,
    });
    expect(one('HEALTHCHECK CMD ["a", "b"]', 'healthcheck').test).toEqual(['CMD', 'a', 'b']);
    expect(one('HEALTHCHECK NONE', 'healthcheck').test).toEqual(['NONE']);
  });

  it('rejects bad HEALTHCHECK options', () => {
    expect(failure('FROM x\nHEALTHCHECK --interval=1us CMD a\n').message).toBe('interval "interval" cannot be less than 1ms');
    expect(failure('FROM x\nHEALTHCHECK --timeout=5 CMD a\n').message).toBe('time: missing unit in duration "5"');
    expect(failure('FROM x\nHEALTHCHECK --retries=-1 CMD a\n').message).toBe('--retries cannot be negative (-1)');
    expect(failure('FROM x\nHEALTHCHECK CONNECT a\n').message).toBe('unknown type "CONNECT" in HEALTHCHECK (try CMD)');
    expect(failure('FROM x\nHEALTHCHECK NONE a\n').message).toBe('HEALTHCHECK NONE takes no arguments');
  });

  it('sorts EXPOSE ports and keeps ENV pairs with their form', () => {
    expect(one('EXPOSE 8080 443/tcp 80', 'expose').ports).toEqual(['443/tcp', '80', '8080']);
    expect(one('ENV a=1 b=2', 'env').pairs).toEqual([
      { key: 'a', value: '1', noDelimiter: false },
      { key: 'b', value: '2', noDelimiter: false },
    ]);
    expect(one('ENV a b c', 'env').pairs).toEqual([{ key: 'a', value: 'b c', noDelimiter: true }]);
  });

  it('stores the ONBUILD expression with heredoc bodies and types its trigger', () => {
    const onbuild = one('ONBUILD RUN <<EOF\necho hi\nEOF', 'onbuild');
    expect(onbuild.expression).toBe('RUN <<EOF\necho hi\nEOF');
    expect(onbuild.trigger).toMatchObject({ kind: 'run', command: { files: [{ name: 'EOF', data: 'echo hi\n' }] } });
  });

  it('types MAINTAINER, USER, STOPSIGNAL and VOLUME', () => {
    expect(one('MAINTAINER me <me@x>', 'maintainer').maintainer).toBe('me <me@x>');
    expect(one('USER app:app', 'user').user).toBe('app:app');
    expect(one('STOPSIGNAL SIGKILL', 'stopsignal').signal).toBe('SIGKILL');
    expect(one('VOLUME ["/a", "/b"]', 'volume').paths).toEqual(['/a', '/b']);
  });
});

describe('names that collide with object properties', () => {
  it('treats __proto__ and constructor as unknown instructions and flags', () => {
    expect(failure('FROM x\nconstructor a\n').message).toBe('unknown instruction: constructor');
    expect(failure('FROM x\nCOPY --constructor=1 a b\n').message).toMatch(/^unknown flag: --constructor/);
    expect(failure('FROM x\nHEALTHCHECK --interval=1constructor CMD a\n').message).toBe('time: unknown unit "constructor" in duration "1constructor"');
  });
});
