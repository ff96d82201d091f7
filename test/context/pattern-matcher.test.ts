import { describe, expect, it } from 'vitest';
import { BadPatternError } from '../../src/match/go-filepath-match.js';
import { PatternMatcher } from '../../src/match/pattern-matcher.js';

const excluded = (patterns: string[], path: string) => new PatternMatcher(patterns).matches(path);

describe('PatternMatcher (.dockerignore semantics)', () => {
  it('anchors a plain name at the context root, unlike gitignore', () => {
    expect(excluded(['foo'], 'foo')).toBe(true);
    expect(excluded(['foo'], 'foo/bar')).toBe(true);
    expect(excluded(['foo'], 'sub/foo')).toBe(false);
  });

  it('keeps * and ? within one path component', () => {
    expect(excluded(['*.md'], 'README.md')).toBe(true);
    expect(excluded(['*.md'], 'docs/README.md')).toBe(false);
    expect(excluded(['a?c'], 'a/c')).toBe(false);
  });

  it('lets ** span any number of directories in prefix, middle and suffix position', () => {
    expect(excluded(['**/*.md'], 'a/b/c.md')).toBe(true);
    expect(excluded(['**/*.md'], 'c.md')).toBe(true);
    expect(excluded(['a/**/z'], 'a/z')).toBe(true);
    expect(excluded(['a/**/z'], 'a/b/c/z')).toBe(true);
    expect(excluded(['dir/**'], 'dir')).toBe(false);
    expect(excluded(['dir/**'], 'dir/x/y')).toBe(true);
  });

  it('re-includes with a later ! exception and lets the last match win', () => {
    expect(excluded(['docs', '!docs/README.md'], 'docs/README.md')).toBe(false);
    expect(excluded(['docs', '!docs/README.md'], 'docs/other.md')).toBe(true);
    expect(excluded(['!fileutils.go', '*.go'], 'fileutils.go')).toBe(true);
    expect(excluded(['**', '!keep', 'keep/drop'], 'keep/drop/x')).toBe(true);
  });

  it('cleans patterns the way Go filepath.Clean does', () => {
    expect(excluded(['./a/../b/'], 'b/c')).toBe(true);
    expect(excluded(['a//b'], 'a/b')).toBe(true);
  });

  it('treats regexp characters literally and honours backslash escapes', () => {
    expect(excluded(['a(b)c/def'], 'a(b)c/def')).toBe(true);
    expect(excluded(['a.c'], 'abc')).toBe(false);
    expect(excluded(['a\\*b'], 'a*b')).toBe(true);
  });

  it('rejects bad patterns, and a lone ! exception', () => {
    expect(() => new PatternMatcher(['['])).toThrow(BadPatternError);
    expect(() => new PatternMatcher(['!'])).toThrow(/illegal exclusion/);
  });

  it('gives the same answer with parent results as by checking every parent', () => {
    const m = new PatternMatcher(['build', '!build/keep', '**/*.log']);
    const dir = m.matchesWithParent('build', null);
    for (const child of ['build/keep', 'build/drop', 'build/keep.log']) {
      expect(m.matchesWithParent(child, dir.info).matched).toBe(m.matches(child));
    }
  });

  it('knows when an exception could re-include something under an excluded directory', () => {
    const m = new PatternMatcher(['node_modules', 'docs', '!docs/README.md']);
    expect(m.mayReincludeUnder('docs')).toBe(true);
    expect(m.mayReincludeUnder('node_modules')).toBe(false);
    expect(new PatternMatcher(['**', '!**/*.go']).mayReincludeUnder('any/dir')).toBe(true);
  });
});
