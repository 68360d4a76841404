import { describe, expect, it } from 'vitest';
import { decodeBody } from './decode.js';
import { elements, first, parseHtml, visibleText } from './dom.js';

const gbk = (s: string): Buffer => {
  // encode by inverting node's GBK decoder for the few characters used here
  const table = new Map<string, number[]>();
  const dec = new TextDecoder('gbk');
  for (let hi = 0x81; hi <= 0xfe; hi++) for (let lo = 0x40; lo <= 0xfe; lo++) table.set(dec.decode(Buffer.from([hi, lo])), [hi, lo]);
  return Buffer.from([...s].flatMap((ch) => (ch.charCodeAt(0) < 0x80 ? [ch.charCodeAt(0)] : (table.get(ch) ?? [0x3f]))));
};

describe('decodeBody', () => {
  it('uses the header charset first', () => {
    const r = decodeBody(gbk('<p>雅安市人民政府</p>'), 'text/html; charset=GBK');
    expect(r).toMatchObject({ charset: 'gbk', source: 'header', declared: 'GBK', mismatch: false });
    expect(r.text).toContain('雅安市人民政府');
  });

  it('then <meta charset> and <meta http-equiv>', () => {
    expect(decodeBody(gbk('<meta charset="gb2312"><p>雅安</p>'), 'text/html')).toMatchObject({ source: 'meta', charset: 'gbk', text: expect.stringContaining('雅安') });
    expect(decodeBody(gbk('<meta http-equiv="Content-Type" content="text/html; charset=gb18030"><p>雅安</p>'))).toMatchObject({ source: 'meta', charset: 'gb18030' });
  });

  it('then a BOM, then sniffing', () => {
    expect(decodeBody(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<p>雅安</p>')]))).toMatchObject({ source: 'bom', charset: 'utf-8', text: '<p>雅安</p>' });
    expect(decodeBody(Buffer.from('<p>雅安</p>'))).toMatchObject({ source: 'sniff', charset: 'utf-8' });
    expect(decodeBody(gbk('<p>雅安</p>'))).toMatchObject({ source: 'sniff', charset: 'gb18030', text: '<p>雅安</p>' });
  });

  it('catches an encoding that lies', () => {
    const r = decodeBody(gbk('<p>雅安市</p>'), 'text/html; charset=utf-8');
    expect(r).toMatchObject({ mismatch: true, charset: 'gb18030', text: '<p>雅安市</p>' });
    expect(decodeBody(Buffer.from('<p>x</p>'), 'text/html; charset=klingon')).toMatchObject({ mismatch: true, charset: 'utf-8' });
  });

  it('does not take a body cut in the middle of a character for a lie', () => {
    const bytes = Buffer.from('<p>雅安市人民政府</p>').subarray(0, 8); // '<p>' + 雅 + the first byte of 安
    expect(decodeBody(bytes, 'text/html; charset=utf-8')).toMatchObject({ mismatch: false, charset: 'utf-8', text: '<p>雅\ufffd' });
    expect(decodeBody(bytes)).toMatchObject({ source: 'sniff', charset: 'utf-8' });
  });

  it('catches GBK declared over UTF-8 bytes, and keeps real GBK that happens to hold no such bytes', () => {
    expect(decodeBody(Buffer.from('<p>雅安市人民政府</p>'), 'text/html; charset=gbk')).toMatchObject({ mismatch: true, charset: 'utf-8', text: '<p>雅安市人民政府</p>' });
    expect(decodeBody(Buffer.from('<meta charset="gb2312"><p>雅安市人民政府</p>'))).toMatchObject({ mismatch: true, charset: 'utf-8', source: 'meta' });
    expect(decodeBody(gbk('<p>雅安市人民政府网站</p>'), 'text/html; charset=gbk')).toMatchObject({ mismatch: false, charset: 'gbk', text: '<p>雅安市人民政府网站</p>' });
    expect(decodeBody(Buffer.from('<p>ascii only</p>'), 'text/html; charset=gbk')).toMatchObject({ mismatch: false, charset: 'gbk' });
  });
});

describe('dom', () => {
  it('parses broken markup and reads visible text without scripts', () => {
    const doc = parseHtml('<html><head><title>t</title><script>var x="隐藏"</script></head><body><div>主办单位：雅安市<br>电话 0835<p>a  &amp;  b</div><table><tr><td>x');
    expect(visibleText(doc)).toBe('主办单位：雅安市\n电话 0835\na & b\nx');
    expect(first('title', doc)).not.toBeNull();
  });

  it('reads text nested far deeper than the call stack allows (with the depth bound lifted)', () => {
    const doc = parseHtml('<span>'.repeat(30_000) + '网站标识码：5118000022', Number.POSITIVE_INFINITY);
    expect(visibleText(doc)).toBe('网站标识码：5118000022');
    // by default, what lies past the depth bound is not read
    expect(visibleText(parseHtml('<span>'.repeat(30_000) + '网站标识码：5118000022'))).toBe('');
  });

  it('lists every element in document order', () => {
    const doc = parseHtml('<html><head><title>t</title></head><body><div><p>a<b>b</b></p><img src=x></div><!-- c --><script>x</script></body></html>');
    expect(elements(doc).map((e) => e.name)).toEqual(['html', 'head', 'title', 'body', 'div', 'p', 'b', 'img', 'script']);
    expect(elements([])).toEqual([]);
  });
});
