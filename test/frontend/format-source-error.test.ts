import { describe, expect, it } from 'vitest';
import { DockerfileError, formatSourceError, parseDockerfile, toInstructions } from '../../src/frontend/index.js';

function errorOf(text: string): DockerfileError {
  try {
    toInstructions(parseDockerfile(text));
  } catch (err) {
    if (err instanceof DockerfileError) return err;
    throw err;
  }
  throw new Error('expected a DockerfileError');
}

describe('formatSourceError', () => {
  it('prints the failing line with two lines of context, as BuildKit does', () => {
    const text = 'FROM alpine\nRUN true\n\nFROM busybox\nARG x\nRUN true\nRUNN echo hi\nRUN true\nCMD x\nEXPOSE 1\n';
    expect(formatSourceError(errorOf(text), text.split('\n'))).toBe(
      [
        'Dockerfile:7',
        '--------------------',
        '   5 |     ARG x',
        '   6 |     RUN true',
        '   7 | >>> RUNN echo hi',
        '   8 |     RUN true',
        '   9 |     CMD x',
        '--------------------',
        'ERROR: unknown instruction: RUNN (did you mean RUN?)',
        'hint: instructions are FROM, RUN, CMD, ENTRYPOINT, SHELL, COPY, ADD, ENV, LABEL, ARG, EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL, HEALTHCHECK, ONBUILD, MAINTAINER',
        '',
      ].join('\n'),
    );
  });

  it('marks every line of a multi-line instruction', () => {
    const text = 'FROM x\nCOPY --bad \\\n  a b\n';
    const out = formatSourceError(errorOf(text), text.split('\n'));
    expect(out).toContain('Dockerfile:2-3\n');
    expect(out).toContain('   2 | >>> COPY --bad \\\n   3 | >>>   a b\n');
  });

  it('prints only the message when the error has no range', () => {
    const err = new DockerfileError('file with no instructions', { code: 'dockerfile-syntax', file: 'Dockerfile' });
    expect(formatSourceError(err, [''])).toBe('ERROR: file with no instructions\n');
  });
});
