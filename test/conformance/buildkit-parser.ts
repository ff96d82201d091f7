// BuildKit's parser test data (../shared/conformance/buildkit-parser), read in place:
// golden dumps, negative files, line ranges and the heredoc parser cases.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chompHeredocContent, heredocsFromLine, parseHeredoc } from '../../src/frontend/parser/heredoc.js';
import { dumpNodes } from '../../src/frontend/parser/dump.js';
import { parseDockerfile } from '../../src/frontend/parser/parse.js';
import type { Heredoc } from '../../src/frontend/parser/ast.js';
import { SuiteRecorder, type Suite } from './suite.js';

interface GoHeredoc {
  Name: string;
  FileDescriptor: number;
  Expand: boolean;
  Chomp: boolean;
  Content: string;
}

interface HeredocCase {
  id: string;
  call: 'Parse' | 'ParseHeredoc' | 'heredocsFromLine' | 'ChompHeredocContent';
  input: string;
  childIndex?: number;
  expected: {
    Heredocs?: GoHeredoc[] | null;
    error?: boolean;
    heredoc?: { Name: string } | null;
    heredocNames?: string[] | null;
    result?: string;
  };
}

const suite: Suite = async (dataDir) => {
  const root = join(dataDir, 'buildkit-parser');
  const rec = new SuiteRecorder('buildkit-parser');
  goldenFiles(root, rec);
  negativeFiles(root, rec);
  lineRanges(root, rec);
  heredocCases(root, rec);
  return rec.done();
};
export default suite;

function goldenFiles(root: string, rec: SuiteRecorder): void {
  const dir = join(root, 'testfiles');
  for (const name of readdirSync(dir).sort()) {
    rec.check(`testfiles/${name}`, () => {
      const text = readFileSync(join(dir, name, 'Dockerfile'), 'utf8');
      const want = readFileSync(join(dir, name, 'result'), 'utf8');
      const got = dumpNodes(parseDockerfile(text).nodes);
      return got === want ? null : `dump differs:\n--- want\n${want}--- got\n${got}`;
    });
  }
}

function negativeFiles(root: string, rec: SuiteRecorder): void {
  const dir = join(root, 'testfiles-negative');
  for (const name of readdirSync(dir).sort()) {
    rec.check(`testfiles-negative/${name}`, () => {
      const text = readFileSync(join(dir, name, 'Dockerfile'), 'utf8');
      try {
        parseDockerfile(text);
      } catch {
        return null;
      }
      return 'parsed without error';
    });
  }
}

function lineRanges(root: string, rec: SuiteRecorder): void {
  rec.check('testfile-line', () => {
    const { nodes } = parseDockerfile(readFileSync(join(root, 'testfile-line', 'Dockerfile'), 'utf8'));
    const got = nodes.map((n) => [n.range.start.line, n.range.end.line]);
    const whole = [got[0]?.[0], got.at(-1)?.[1]];
    const want = [
      [5, 5],
      [11, 12],
      [17, 31],
    ];
    const ok = JSON.stringify(got) === JSON.stringify(want) && JSON.stringify(whole) === '[5,31]';
    return ok ? null : `ranges ${JSON.stringify(got)}, whole ${JSON.stringify(whole)}`;
  });
}

function heredocCases(root: string, rec: SuiteRecorder): void {
  const data = JSON.parse(readFileSync(join(root, 'heredoc_cases.json'), 'utf8')) as { cases: HeredocCase[] };
  for (const c of data.cases) rec.check(c.id, () => runHeredocCase(c));
}

function toGo(h: Heredoc): GoHeredoc {
  return { Name: h.name, FileDescriptor: h.fileDescriptor, Expand: h.expand, Chomp: h.chomp, Content: h.content };
}

function runHeredocCase(c: HeredocCase): string | null {
  switch (c.call) {
    case 'Parse': {
      const node = parseDockerfile(c.input).nodes[c.childIndex ?? -1];
      if (!node) return `no child ${c.childIndex}`;
      const got = node.heredocs.length ? node.heredocs.map(toGo) : null;
      const want = c.expected.Heredocs ?? null;
      return JSON.stringify(got) === JSON.stringify(want) ? null : `got ${JSON.stringify(got)}`;
    }
    case 'ParseHeredoc': {
      if (c.expected.error) {
        try {
          parseHeredoc(c.input);
        } catch {
          return null;
        }
        return 'expected an error';
      }
      const h = parseHeredoc(c.input);
      const want = c.expected.heredoc ?? null;
      if (want === null) return h === null ? null : `got ${JSON.stringify(h)}`;
      return h?.name === want.Name ? null : `got ${JSON.stringify(h)}`;
    }
    case 'heredocsFromLine': {
      // Go checks only the names returned, in order; returning more than listed panics.
      const got = heredocsFromLine(c.input);
      const names = c.expected.heredocNames ?? [];
      const ok = got.length <= names.length && got.every((h, i) => h.name === names[i]);
      return ok ? null : `got ${JSON.stringify(got.map((h) => h.name))}`;
    }
    case 'ChompHeredocContent': {
      const got = chompHeredocContent(c.input);
      return got === c.expected.result ? null : `got ${JSON.stringify(got)}`;
    }
  }
}
