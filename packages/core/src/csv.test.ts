import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.js';

describe('toCsv, the one CSV writer', () => {
  it('writes a BOM, CRLF, RFC 4180 quoting, lists joined, null empty', () => {
    expect(toCsv(['a', 'b', 'c'], [['x,y', ['p', 'q'], null], ['say "hi"', 3, true]])).toBe('\uFEFFa,b,c\r\n"x,y",p q,\r\n"say ""hi""",3,true\r\n');
    expect(toCsv(['a'], [['、']], { quote: /、/, bom: false })).toBe('a\r\n"、"\r\n');
  });

  it('defuses every cell a spreadsheet would run as a formula, lists included', () => {
    const csv = toCsv(['v'], [['=HYPERLINK("http://x","y")'], ['+1+2'], ['-2+3+A1'], ['@SUM(1)'], ['\tx'], [['=1', 'b']], [-5]]);
    const cells = csv.slice(1).trimEnd().split('\r\n').slice(1);
    expect(cells).toEqual([`"'=HYPERLINK(""http://x"",""y"")"`, `'+1+2`, `'-2+3+A1`, `'@SUM(1)`, `'\tx`, `'=1 b`, '-5']);
  });
});
