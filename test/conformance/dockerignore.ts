// Docker's .dockerignore matcher cases (moby/patternmatcher tests, as data): single
// patterns against paths (a parent dir match excludes too), ordered pattern lists with
// `!` exceptions, and patterns that must be rejected as bad.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PatternMatcher } from '../../src/match/pattern-matcher.js';
import { BadPatternError } from '../../src/match/go-filepath-match.js';
import { goClean } from '../../src/match/go-path.js';
import { SuiteRecorder, type Suite } from './suite.js';

interface MultiCase {
  patterns: string[];
  path: string;
  expected: boolean;
}

/** Either one `pattern` or a `patterns` list; every case must end in an error. */
interface ErrorCase {
  pattern?: string;
  patterns?: string[];
  path: string;
  err: string;
}

/** Docker's top-level `Matches`: the path is cleaned and "." is never excluded. */
function excluded(patterns: string[], path: string): boolean {
  const matcher = new PatternMatcher(patterns);
  const file = goClean(path);
  return file === '.' ? false : matcher.matches(file);
}

const suite: Suite = async (dataDir) => {
  const dir = join(dataDir, 'dockerignore');
  const rec = new SuiteRecorder('dockerignore');

  const rows = (await readFile(join(dir, 'cases.tsv'), 'utf8')).split('\n').filter((l) => l !== '');
  for (const row of rows) {
    const [pattern, path, want] = row.split('\t');
    rec.check(`cases.tsv ${JSON.stringify(pattern)} ${JSON.stringify(path)}`, () => {
      const got = excluded([pattern], path);
      return got === (want === 'true') ? null : `got ${got}, want ${want}`;
    });
  }

  const multi = JSON.parse(await readFile(join(dir, 'multi_pattern_cases.json'), 'utf8')) as MultiCase[];
  for (const c of multi) {
    rec.check(`multi ${JSON.stringify(c.patterns)} ${JSON.stringify(c.path)}`, () => {
      const got = excluded(c.patterns, c.path);
      return got === c.expected ? null : `got ${got}, want ${c.expected}`;
    });
  }

  const errors = JSON.parse(await readFile(join(dir, 'error_cases.json'), 'utf8')) as ErrorCase[];
  for (const c of errors) {
    const patterns = c.patterns ?? [c.pattern ?? ''];
    rec.check(`error ${JSON.stringify(patterns)}`, () => {
      try {
        excluded(patterns, c.path);
      } catch (err) {
        return err instanceof BadPatternError ? null : `threw ${String(err)}, want ${c.err}`;
      }
      return `accepted, want ${c.err}`;
    });
  }
  return rec.done();
};

export default suite;
