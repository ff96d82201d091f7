// BuildKit's shell-lexer tables (moby/buildkit frontend/dockerfile/shell, as data):
// `envVarTest` in single-word mode, `wordsTest` in word-splitting mode, and the
// `${v#p}`/`${v/p/r}`/`${v?m}` cases of processWithMatches.json with the names each
// expansion looked up. All with BuildKit's default escape character, `\`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processWord, processWords, ShellExpansionError, type LexOptions } from '../../src/frontend/shell/expand.js';
import { SuiteRecorder, type Suite } from './suite.js';

interface MatchCase {
  input: string;
  envs: Record<string, string>;
  expected?: string;
  expectedErr?: boolean;
  matched?: string[];
  unmatched?: string[];
}

const opts: LexOptions = { escapeToken: '\\' };
/** The environment every envVarTest row runs with; NULL is set but empty. */
const envVarTestEnv = new Map([
  ['PWD', '/home'],
  ['SHELL', 'bash'],
  ['KOREAN', '한국어'],
  ['NULL', ''],
]);

/** Table lines that hold data: no blank lines, no `#` comments (column 0 only). */
async function tableLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

/** Runs `expand`; an expansion error becomes `onError`, anything else is rethrown. */
function orOnError<T>(expand: () => T, onError: T): T {
  try {
    return expand();
  } catch (err) {
    if (err instanceof ShellExpansionError) return onError;
    throw err;
  }
}

function sameSet(got: Set<string>, want: string[] = []): boolean {
  return got.size === want.length && want.every((name) => got.has(name));
}

const show = (value: unknown) => JSON.stringify(value);

const suite: Suite = async (dataDir) => {
  const dir = join(dataDir, 'buildkit-shell');
  const rec = new SuiteRecorder('buildkit-shell');
  const ERROR = Symbol('error');

  for (const line of await tableLines(join(dir, 'envVarTest'))) {
    const [platform = '', source = '', expected = ''] = line.split('|').map((field) => field.trim());
    if (platform === 'W') continue; // Windows rows: case-insensitive names
    rec.check(`envVarTest ${show(source)}`, () => {
      const got = orOnError<string | typeof ERROR>(() => processWord(source, envVarTestEnv, opts).value, ERROR);
      const want = expected === 'error' ? ERROR : expected;
      return got === want ? null : `got ${String(got === ERROR ? 'error' : show(got))}, want ${show(expected)}`;
    });
  }

  const wordsEnv = new Map<string, string>();
  for (const line of await tableLines(join(dir, 'wordsTest'))) {
    if (line.startsWith('ENV ')) {
      const assignment = line.slice('ENV '.length).trimStart();
      const eq = assignment.indexOf('=');
      wordsEnv.set(assignment.slice(0, eq), assignment.slice(eq + 1));
      continue;
    }
    const [input = '', expected = ''] = line.split('|');
    const source = input.trim();
    const want = expected.trimStart().split(',');
    // Each row sees the ENV lines above it only.
    const env = new Map(wordsEnv);
    rec.check(`wordsTest ${show(source)}`, () => {
      const got = orOnError(() => processWords(source, env, opts).words, ['error']);
      return show(got) === show(want) ? null : `got ${show(got)}, want ${show(want)}`;
    });
  }

  const { cases } = JSON.parse(await readFile(join(dir, 'processWithMatches.json'), 'utf8')) as { cases: MatchCase[] };
  for (const c of cases) {
    rec.check(`processWithMatches ${show(c.input)} ${show(c.envs)}`, () => {
      const env = new Map(Object.entries(c.envs));
      if (c.expectedErr) {
        return orOnError(() => `got ${show(processWord(c.input, env, opts).value)}, want an error`, null);
      }
      const got = processWord(c.input, env, opts);
      if (got.value !== c.expected) return `got ${show(got.value)}, want ${show(c.expected)}`;
      if (!sameSet(got.matched, c.matched)) return `matched ${show([...got.matched])}, want ${show(c.matched ?? [])}`;
      if (!sameSet(got.unmatched, c.unmatched)) return `unmatched ${show([...got.unmatched])}, want ${show(c.unmatched ?? [])}`;
      return null;
    });
  }

  return rec.done();
};

export default suite;
