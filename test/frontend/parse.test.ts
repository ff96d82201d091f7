import { describe, expect, it } from 'vitest';
import { DockerfileError, dumpNodes, parseDockerfile } from '../../src/frontend/index.js';

function dump(text: string): string {
  return dumpNodes(parseDockerfile(text).nodes);
}

function parseError(text: string): DockerfileError {
  try {
    parseDockerfile(text);
  } catch (err) {
    if (err instanceof DockerfileError) return err;
    throw err;
  }
  throw new Error('expected a DockerfileError');
}

describe('parser directives', () => {
  it('accepts a docker/dockerfile syntax directive, with or without docker.io and a tag', () => {
    for (const value of ['docker/dockerfile:1', 'docker.io/docker/dockerfile:1.7-labs', 'docker/dockerfile']) {
      expect(parseDockerfile(`# syntax=${value}\nFROM x\n`).directives.syntax).toBe(value);
    }
  });

  it('rejects any other syntax frontend with a clear message', () => {
    const err = parseError('# syntax=example.com/frontend:1\nFROM x\n');
    expect(err.code).toBe('dockerfile-directive');
    expect(err.message).toBe('unsupported syntax frontend "example.com/frontend:1": tsbuild only serves docker/dockerfile');
    expect(err.range?.start.line).toBe(1);
  });

  it('switches the escape token to a backtick, keys being case-insensitive', () => {
    const parsed = parseDockerfile('# ESCAPE = `\nFROM x\nRUN echo a `\n  b\n');
    expect(parsed.directives.escape).toBe('`');
    expect(dumpNodes(parsed.nodes)).toBe('(from "x")\n(run "echo a   b")\n');
  });

  it('rejects a repeated directive', () => {
    expect(parseError('# escape=\\\n# escape=`\nFROM x\n').message).toBe('only one escape parser directive can be used');
  });

  it('stops looking for directives after a comment, a blank line or an unknown directive', () => {
    expect(parseDockerfile('# hello\n# escape=`\nFROM x\n').directives.escape).toBe('\\');
    expect(parseDockerfile('\n# escape=`\nFROM x\n').directives.escape).toBe('\\');
    expect(parseDockerfile('# foo=bar\n# escape=`\nFROM x\n').directives.escape).toBe('\\');
  });

  it('parses the check directive into skipped rules and the error switch', () => {
    const parsed = parseDockerfile('# check=skip=JSONArgsRecommended,StageNameCasing;error=true\nFROM x\n');
    expect(parsed.directives.check).toEqual({ skip: ['JSONArgsRecommended', 'StageNameCasing'], error: true });
    expect(parseDockerfile('# check=skip=all\nFROM x\n').directives.check).toEqual({ skip: 'all', error: false });
  });

  it('rejects an escape token other than backslash or backtick', () => {
    expect(parseError('# escape=x\nFROM x\n').message).toBe("invalid escape token 'x' does not match ` or \\");
  });
});

describe('logical lines', () => {
  it('strips a UTF-8 byte order mark from the first line', () => {
    expect(dump('\ufeffFROM x\n')).toBe('(from "x")\n');
  });

  it('joins continuation lines and drops comments and blank lines inside them', () => {
    expect(dump('FROM x\nRUN echo hello \\\n# a comment\n\n  world\n')).toBe('(from "x")\n(run "echo hello   world")\n');
  });

  it('warns about empty continuation lines', () => {
    const parsed = parseDockerfile('FROM x\nRUN a \\\n\nb\n');
    expect(parsed.warnings.map((w) => w.message)).toEqual(['empty continuation line found in: RUN a b']);
  });

  it('does not treat an escaped escape token at the end of a line as a continuation', () => {
    expect(dump('FROM x\nENV C trail\\\\\nENV D d\n')).toBe('(from "x")\n(env "C" "trail\\\\\\\\" "")\n(env "D" "d" "")\n');
  });

  it('handles CRLF line endings like LF', () => {
    expect(dump('FROM x\r\nRUN a \\\r\n  b\r\n')).toBe('(from "x")\n(run "a   b")\n');
  });

  it('keeps line and column ranges on every node, continuation lines included', () => {
    const { nodes } = parseDockerfile('FROM x\n\n  RUN a \\\n    b\n');
    expect(nodes[1]?.range).toEqual({ start: { line: 3, column: 3 }, end: { line: 4, column: 5 } });
  });

  it('rejects a line longer than 65535 bytes', () => {
    const err = parseError(`FROM x\nRUN ${'a'.repeat(70000)}\n`);
    expect(err.message).toBe('dockerfile line greater than max allowed size of 65535');
    expect(err.range?.start.line).toBe(2);
  });

  it('rejects a file with no instructions', () => {
    expect(parseError('# only a comment\n\n').message).toBe('file with no instructions');
    expect(parseError('').message).toBe('file with no instructions');
  });
});

describe('arguments and flags', () => {
  it('reads exec form as JSON and falls back to shell form for invalid JSON', () => {
    expect(dump('CMD ["a", "b c"]\nCMD [\'a\']\n')).toBe('(cmd "a" "b c")\n(cmd "[\'a\']")\n');
    expect(parseDockerfile('CMD ["a"]\n').nodes[0]?.json).toBe(true);
  });

  it('rejects a JSON array with non-string elements', () => {
    expect(parseError('CMD ["a", 1]\n').message).toBe('when using JSON array syntax, arrays must be comprised of strings only');
  });

  it('collects leading --flags and stops at a bare --', () => {
    const node = parseDockerfile('COPY --from=a --chown="u g" -- --weird /dst\n').nodes[0];
    expect(node?.flags).toEqual(['--from=a', '--chown=u g']);
    expect(node?.args).toEqual(['--weird', '/dst']);
  });

  it('splits ENV into name/value triples and keeps the legacy form as one value', () => {
    expect(dump('ENV a=1 b="x y"\nENV c hello world\n')).toBe('(env "a" "1" "=" "b" "\\"x y\\"" "=")\n(env "c" "hello world" "")\n');
  });

  it('nests the ONBUILD trigger', () => {
    expect(dump('ONBUILD RUN ["echo", "x"]\n')).toBe('(onbuild (run "echo" "x"))\n');
  });
});

describe('heredocs', () => {
  it('attaches bodies to RUN, COPY and ADD in order, several per line', () => {
    const { nodes } = parseDockerfile('FROM x\nCOPY <<A <<-B /dst\na\nA\n\tb\n\tB\nRUN ls\n');
    expect(nodes[1]?.heredocs.map((h) => [h.name, h.content, h.chomp])).toEqual([
      ['A', 'a\n', false],
      ['B', '\tb\n', true],
    ]);
    expect(nodes[1]?.range).toMatchObject({ start: { line: 2 }, end: { line: 6 } });
    expect(nodes[2]?.name).toBe('run');
  });

  it('records the file descriptor and whether the delimiter was quoted', () => {
    const { nodes } = parseDockerfile("FROM x\nRUN 3<<'EOF' cat\n$HOME\nEOF\n");
    expect(nodes[1]?.heredocs[0]).toEqual({ name: 'EOF', fileDescriptor: 3, expand: false, chomp: false, content: '$HOME\n' });
  });

  it('takes no heredocs for other instructions or exec form', () => {
    const { nodes } = parseDockerfile('FROM x\nRUN ["<<EOF"]\nUSER <<EOF\n');
    expect(nodes.every((n) => n.heredocs.length === 0)).toBe(true);
  });

  it('reports an unterminated heredoc at the instruction', () => {
    const err = parseError('FROM x\nRUN <<EOF\necho hi\n');
    expect(err.message).toBe('unterminated heredoc');
    expect(err.range?.start.line).toBe(2);
  });
});
