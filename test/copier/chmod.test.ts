import { describe, expect, it } from 'vitest';
import { CopyError, parseChmod } from '../../src/copier/index.js';

describe('parseChmod', () => {
  it('sets an octal mode on files and directories alike', () => {
    const m = parseChmod('0640');
    expect(m(0o755, false)).toBe(0o640);
    expect(m(0o700, true)).toBe(0o640);
  });

  it('applies u=rwX,go=rX: X only for directories and already-executable files', () => {
    const m = parseChmod('u=rwX,go=rX');
    expect(m(0o600, false)).toBe(0o644);
    expect(m(0o700, false)).toBe(0o755);
    expect(m(0o700, true)).toBe(0o755);
  });

  it('adds and removes bits for everyone when no class is named', () => {
    expect(parseChmod('+x')(0o644, false)).toBe(0o755);
    expect(parseChmod('a-w')(0o664, false)).toBe(0o444);
  });

  it('copies one class onto another with g=u', () => {
    expect(parseChmod('g=u')(0o704, false)).toBe(0o774);
  });

  it('rejects malformed modes as invalid usage', () => {
    for (const bad of ['9', 'u=q', 'rwx', '']) {
      let err: unknown;
      try {
        parseChmod(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CopyError);
      expect((err as CopyError).exitCode).toBe(2);
    }
  });
});
