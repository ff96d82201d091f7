import { describe, expect, it } from 'vitest';
import { goQuote, goQuoteList } from '../../src/frontend/parser/go-quote.js';
import { parseGoDuration } from '../../src/frontend/instructions/go-duration.js';
import { goDuration } from '../../src/frontend/graph/go-format.js';
import { chompHeredocContent, heredocsFromLine, parseHeredoc } from '../../src/frontend/parser/heredoc.js';

describe('Go renderings', () => {
  it('quotes strings like strconv.Quote', () => {
    expect(goQuote('a"b\\c\n\t\x00é♥\u200b')).toBe('"a\\"b\\\\c\\n\\t\\x00é♥\\u200b"');
    expect(goQuoteList(['--a=1', 'b'])).toBe('["--a=1" "b"]');
  });

  it('parses and prints Go durations', () => {
    expect(parseGoDuration('1h2m3.5s')).toBe(3723.5e9);
    expect(parseGoDuration('250us')).toBe(250e3);
    expect(parseGoDuration('0')).toBe(0);
    expect(() => parseGoDuration('x')).toThrow('time: invalid duration "x"');
    expect(() => parseGoDuration('3 days')).toThrow('time: unknown unit " days" in duration "3 days"');
    expect([90e9, 5e8, 3723.5e9, 0].map(goDuration)).toEqual(['1m30s', '500ms', '1h2m3.5s', '0s']);
  });
});

describe('heredoc helpers', () => {
  it('reads heredoc openers with BuildKit rules', () => {
    expect(parseHeredoc('<<-"EOF"')).toEqual({ name: 'EOF', fileDescriptor: 0, expand: false, chomp: true });
    expect(parseHeredoc('<<EOF sh')).toBeNull();
    expect(() => parseHeredoc("<<'EOF")).toThrow();
  });

  it('keeps spaces after << in the opener word, but not after <<-', () => {
    expect(heredocsFromLine('RUN << -EOF').map((h) => h.name)).toEqual(['-EOF']);
    expect(heredocsFromLine('RUN <<- EOF')).toEqual([]);
    expect(heredocsFromLine("RUN '<<EOF' <<A")).toEqual([{ name: 'A', fileDescriptor: 0, expand: true, chomp: false }]);
  });

  it('strips leading tabs from every line only', () => {
    expect(chompHeredocContent('\t\ta\n b\n\tc\r\n')).toBe('a\n b\nc\r\n');
  });
});
