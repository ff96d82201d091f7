import { describe, expect, it } from 'vitest';
import { processWord, processWords, ShellExpansionError, type LexOptions } from '../../src/frontend/shell/expand.js';

const env = new Map([
  ['APP', 'shop'],
  ['EMPTY', ''],
  ['PAIR', 'left  right'],
  ['FILE', 'archive.tar.gz'],
  ['PATHS', '/usr/lib/usr/bin'],
  ['LINES', 'one\ntwo'],
  ['STAR', 'a*b*c'],
]);
const backslash: LexOptions = { escapeToken: '\\' };

function word(text: string, opts: Partial<LexOptions> = {}): string {
  return processWord(text, env, { ...backslash, ...opts }).value;
}

function words(text: string, opts: Partial<LexOptions> = {}): string[] {
  return processWords(text, env, { ...backslash, ...opts }).words;
}

/** The message of the ShellExpansionError that expanding `text` throws. */
function failure(text: string): string {
  try {
    processWord(text, env, backslash);
  } catch (err) {
    expect(err).toBeInstanceOf(ShellExpansionError);
    return (err as ShellExpansionError).message;
  }
  throw new Error(`${text} expanded without an error`);
}

describe('quotes and escapes', () => {
  it('keeps everything inside single quotes literal, backslashes included', () => {
    expect(word("'$APP \\n ${APP}'")).toBe('$APP \\n ${APP}');
  });

  it('expands inside double quotes, where only ", $ and the escape character can be escaped', () => {
    expect(word('"$APP \\"x\\" \\$APP \\\\ \\n"')).toBe('shop "x" $APP \\ \\n');
  });

  it('removes an escape outside quotes and keeps the escaped character', () => {
    expect(word('a\\ b\\$APP\\n')).toBe('a b$APPn');
  });

  it('drops an escape character at the very end of the word', () => {
    expect(word('tail\\')).toBe('tail');
  });

  it('uses the backtick as the escape character when asked, leaving backslashes literal', () => {
    expect(word('C:\\dir`$APP "`"q" `\\', { escapeToken: '`' })).toBe('C:\\dir$APP "q \\');
  });

  it('reports an unclosed single quote', () => {
    expect(failure("it's")).toBe('failed to process "it\'s": unexpected end of statement while looking for matching single-quote');
  });

  it('reports an unclosed double quote, even when the last quote is escaped', () => {
    expect(failure('"open\\"')).toBe('failed to process "\\"open\\\\\\"": unexpected end of statement while looking for matching double-quote');
  });

  it('keeps quote characters with rawQuotes', () => {
    expect(word(`'a$APP'"b$APP"`, { rawQuotes: true })).toBe(`'a$APP'"bshop"`);
  });

  it('keeps escape characters with rawEscapes, in and out of double quotes', () => {
    expect(word('a\\ b"\\$APP"', { rawEscapes: true })).toBe('a\\ b\\$APP');
  });

  it('does not keep escapes of a ${v:-word} default with rawEscapes', () => {
    expect(word('${NOPE:-\\x}', { rawEscapes: true })).toBe('x');
  });

  it("ignores a byte-order mark at the start of the word, as Go's scanner does", () => {
    expect(word('\uFEFF$APP')).toBe('shop');
  });
});

describe('plain references', () => {
  it('expands $name and ${name}, and unset names to nothing', () => {
    expect(word('$APP-${APP}_$NOPE.${NOPE}')).toBe('shop-shop_.');
  });

  it('reads names of letters, digits and underscores, in any script', () => {
    expect(processWord('$ÉTÉ_1x!', new Map([['ÉTÉ_1x', 'summer']]), backslash).value).toBe('summer!');
  });

  it('keeps a $ that no name follows', () => {
    expect(word('cost: 5$ or $/unit or $')).toBe('cost: 5$ or $/unit or $');
  });

  it('expands positional parameters to nothing, reading all their digits', () => {
    expect(word('[$1][${23}][$007x]')).toBe('[][][x]');
  });

  it('expands special parameters to nothing, one character each', () => {
    expect(word('[$@][$*][$#][$?][$-][$$][$!][$0][${#}][$@@]')).toBe('[][][][][][][][][][@]');
  });

  it('lets positional and special parameters take defaults', () => {
    expect(word('${1:-first} ${?:-status} ${$:+pid}')).toBe('first status ');
  });
});

describe('${v-w} and ${v+w} forms', () => {
  it('uses the default when unset, or with a colon also when empty', () => {
    expect(word('${NOPE-a} ${EMPTY-b} ${EMPTY:-c} ${APP:-d}')).toBe('a  c shop');
  });

  it('uses the alternative when set, or with a colon only when non-empty', () => {
    expect(word('[${NOPE+a}] [${EMPTY+b}] [${EMPTY:+c}] [${APP:+d}]')).toBe('[] [b] [] [d]');
  });

  it('expands quotes and nested references inside the word', () => {
    expect(word('${NOPE:-"$APP  x"} ${NOPE:-${ALSO:-${APP}}} ${APP:+\'$NOPE\'}')).toBe('shop  x shop $NOPE');
  });

  it('lets an escaped brace stay in the word', () => {
    expect(word('${NOPE:-a\\}b}')).toBe('a}b');
  });
});

describe('${v?m} forms', () => {
  it('gives the value when it is set (and, with a colon, non-empty)', () => {
    expect(word('${APP?gone} [${EMPTY?gone}] ${APP:?gone}')).toBe('shop [] shop');
  });

  it('fails with the message given', () => {
    expect(failure('${NOPE?set NOPE first}')).toBe('failed to process "${NOPE?set NOPE first}": NOPE: set NOPE first');
    expect(failure('${EMPTY:?fill it}')).toBe('failed to process "${EMPTY:?fill it}": EMPTY: fill it');
  });

  it("fails with BuildKit's default messages when none is given", () => {
    expect(failure('${NOPE?}')).toBe('failed to process "${NOPE?}": NOPE: is not allowed to be unset');
    expect(failure('${NOPE:?}')).toBe('failed to process "${NOPE:?}": NOPE: is not allowed to be unset');
    expect(failure('${EMPTY:?}')).toBe('failed to process "${EMPTY:?}": EMPTY: is not allowed to be empty');
  });

  it('keeps a nested failure when the outer ${…} is complete', () => {
    expect(failure('${NOPE:-${GONE?needed}}')).toBe('failed to process "${NOPE:-${GONE?needed}}": GONE: needed');
  });
});

describe('${v#p} and ${v%p} forms', () => {
  it('removes the shortest or longest matching prefix', () => {
    expect(word('${FILE#*.} ${FILE##*.} ${FILE#arch} ${FILE#tar}')).toBe('tar.gz gz ive.tar.gz archive.tar.gz');
  });

  it('removes the shortest or longest matching suffix', () => {
    expect(word('${FILE%.*} ${FILE%%.*} ${FILE%gz} ${FILE%tar}')).toBe('archive.tar archive archive.tar. archive.tar.gz');
  });

  it('matches one character with ?, and treats regex characters literally', () => {
    expect(word('${FILE#???????.} ${FILE%.t?r.gz} ${FILE#a.*}')).toBe('tar.gz archive archive.tar.gz');
  });

  it('matches escaped wildcards literally', () => {
    expect(word('${STAR#*\\*} ${STAR##*\\*} ${STAR%\\**} ${STAR%%\\**}')).toBe('b*c c a*b a');
  });

  it("never matches a newline with a wildcard, like Go's regexp", () => {
    expect(word('${LINES#*o} ${LINES#????}')).toBe('ne\ntwo one\ntwo');
  });

  it('takes the pattern from a variable', () => {
    expect(
      processWord(
        '${FILE%$EXT}',
        new Map([
          ['FILE', 'a.tar.gz'],
          ['EXT', '.*'],
        ]),
        backslash,
      ).value,
    ).toBe('a.tar');
  });

  it('rejects a bad escape in the pattern, showing the pattern as matched (reversed for %)', () => {
    expect(failure('${FILE#\\d}')).toBe('failed to process "${FILE#\\\\d}": invalid pattern (\\d) in substitution: invalid escape \'\\d\'');
    expect(failure('${FILE%a\\d}')).toBe('failed to process "${FILE%a\\\\d}": invalid pattern (\\da) in substitution: invalid escape \'\\d\'');
  });

  it('rejects a colon before # or %', () => {
    expect(failure('${FILE:#*.}')).toBe('failed to process "${FILE:#*.}": unsupported modifier (:#) in substitution');
    expect(failure('${FILE:%%.*}')).toBe('failed to process "${FILE:%%.*}": unsupported modifier (:%) in substitution');
  });
});

describe('${v/p/r} forms', () => {
  it('replaces the first match, or every match with //', () => {
    expect(word('${PATHS/usr/opt} ${PATHS//usr/opt}')).toBe('/opt/lib/usr/bin /opt/lib/opt/bin');
  });

  it('matches wildcards greedily and anywhere in the value', () => {
    expect(word('${PATHS/l*r/X} ${PATHS//?s/-}')).toBe('/usr/X/bin /-r/lib/-r/bin');
  });

  it('deletes matches when the replacement is empty', () => {
    expect(word('${PATHS//\\/usr/}')).toBe('/lib/bin');
  });

  it('replaces an empty pattern around every character with //, and once at the start with /', () => {
    expect(word('${APP///:} ${APP/$EMPTY/>}')).toBe(':s:h:o:p: >shop');
  });

  it("does not replace an empty match right after a match, like Go's ReplaceAllString", () => {
    expect(word('${APP//*/X}')).toBe('X');
  });

  it("expands $0 to the match in a // replacement only, like Go's regexp template", () => {
    expect(word("${APP//o/'<$0>'} ${APP/o/'<$0>'} ${APP//o/'$$'} ${APP//o/'$1${x}'}")).toBe('sh<o>p sh<$0>p sh$p shp');
  });

  it('reports a missing second slash or closing brace', () => {
    expect(failure('${APP/x')).toBe('failed to process "${APP/x": syntax error: missing \'/\' in ${}');
    expect(failure('${APP//x}')).toBe('failed to process "${APP//x}": syntax error: missing \'/\' in ${}');
    expect(failure('${APP/x/y')).toBe('failed to process "${APP/x/y": syntax error: missing \'}\'');
  });
});

describe('invalid forms', () => {
  it.each([
    ['${}', 'syntax error: bad substitution'],
    ['${:-x}', 'syntax error: bad substitution'],
    ['${{APP}}', 'syntax error: bad substitution'],
    ['a${', "syntax error: missing '}'"],
    ['${APP', "syntax error: missing '}'"],
    ['${APP:-x', "syntax error: missing '}'"],
    ['${APP:-"x}"', "syntax error: missing '}'"],
    ['${NOPE:-${GONE?needed}', "syntax error: missing '}'"],
    ['${APP=x}', 'unsupported modifier (=) in substitution'],
    ['${APP:=x}', 'unsupported modifier (:=) in substitution'],
    ['${APP:x}', 'unsupported modifier (:x) in substitution'],
    ['${APP.x}', 'unsupported modifier (.) in substitution'],
    ['${1x}', 'unsupported modifier (x) in substitution'],
  ])('rejects %s', (text, reason) => {
    expect(failure(text)).toBe(`failed to process ${JSON.stringify(text)}: ${reason}`);
  });

  it('is a usage-class error with the shell-expansion code', () => {
    try {
      processWord('${}', env, backslash);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'shell-expansion', exitCode: 2, name: 'ShellExpansionError' });
    }
  });
});

describe('matched and unmatched names', () => {
  it('lists every name looked up, nested ones included', () => {
    const got = processWord('$APP ${NOPE:-${EMPTY}} ${FILE#$PAT} $1 $$', env, backslash);
    expect([...got.matched].sort()).toEqual(['APP', 'EMPTY', 'FILE']);
    expect([...got.unmatched].sort()).toEqual(['$', '1', 'NOPE', 'PAT']);
  });

  it('lists nothing for quoted or escaped references', () => {
    const got = processWord("'$APP' \\$FILE", env, backslash);
    expect(got.matched.size + got.unmatched.size).toBe(0);
  });
});

describe('skipUnsetEnv', () => {
  it('leaves references to unset names as written and expands the rest', () => {
    const text = '$NOPE ${NOPE} ${NOPE:-$APP} ${NOPE#x} ${NOPE//a/b} $APP';
    expect(word(text, { skipUnsetEnv: true })).toBe('$NOPE ${NOPE} ${NOPE:-shop} ${NOPE#x} ${NOPE//a/b} shop');
  });

  it('still expands set but empty names', () => {
    expect(word('[$EMPTY]', { skipUnsetEnv: true })).toBe('[]');
  });
});

describe('processWords', () => {
  it('splits on unquoted white space, values included', () => {
    expect(words('  cp $PAIR\t${NOPE:-a  b}c  ')).toEqual(['cp', 'left', 'right', 'a', 'bc']);
  });

  it('keeps quoted and escaped white space inside a word', () => {
    expect(words('"$PAIR" x\\ y \'p q\'r')).toEqual(['left  right', 'x y', 'p qr']);
  });

  it("splits on any Unicode white space, as Go's unicode.IsSpace does", () => {
    expect(words('a\u00a0b\u3000c\u0085d\u2003')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('makes no word of an empty quoted string', () => {
    expect(words('"" x \'\' $EMPTY')).toEqual(['x']);
  });

  it('keeps text that comes before a ${v:-w} in the same word', () => {
    expect(words('pre${NOPE:-post} x')).toEqual(['prepost', 'x']);
  });

  it('reports the names it looked up', () => {
    const got = processWords('$APP $NOPE', env, backslash);
    expect([...got.matched]).toEqual(['APP']);
    expect([...got.unmatched]).toEqual(['NOPE']);
  });
});
