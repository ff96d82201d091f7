import { describe, expect, it } from 'vitest';
import { BadPatternError, goMatch, hasGoMeta } from '../../src/match/go-filepath-match.js';

describe('goMatch (Go filepath.Match)', () => {
  it.each([
    ['abc', 'abc', true],
    ['*', 'abc', true],
    ['*c', 'abc', true],
    ['a*', 'ab/c', false],
    ['a*/b', 'abc/b', true],
    ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
    ['a*b?c*x', 'abxbbxdbxebxczzx', true],
    ['ab[^e-g]', 'abc', true],
    ['ab[^b-d]', 'abc', false],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'ab', false],
    ['a?b', 'a☺b', true],
    ['a???b', 'a☺b', false],
    ['[a-ζ]*', 'α', true],
    ['a?b', 'a/b', false],
    ['[\\]a]', ']', true],
    ['[x\\-]', '-', true],
    ['*.txt', '.hidden.txt', true],
  ])('matches %j against %j as %s', (pattern, name, want) => {
    expect(goMatch(pattern, name)).toBe(want);
  });

  it.each(['[]a]', '[-]', '[x-]', '\\', '[a-b-c]', '[', '[^', 'a['])('rejects the malformed pattern %j', (pattern) => {
    expect(() => goMatch(pattern, 'a')).toThrow(BadPatternError);
  });

  it('reports a malformed tail even when the head already failed to match', () => {
    expect(() => goMatch('x*[', 'abc')).toThrow(BadPatternError);
  });

  it('tells literal paths from wildcards', () => {
    expect(hasGoMeta('dir/file.txt')).toBe(false);
    expect(hasGoMeta('dir/*.txt')).toBe(true);
    expect(hasGoMeta('f[12]')).toBe(true);
    expect(hasGoMeta('a\\*b')).toBe(false);
  });
});
