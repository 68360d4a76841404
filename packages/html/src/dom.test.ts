import { describe, expect, it } from 'vitest';
import { cutDeepNesting, DEFAULT_MAX_DEPTH, parseHtml, select, visibleText } from './dom.js';

describe('parseHtml, bounded', () => {
  it('reads a page of 200,000 nested <div>s in bounded time, up to the depth limit', () => {
    const html = `<html><head><title>雅安市人民政府</title></head><body><p>网站标识码：5118000022</p>${'<div>'.repeat(200_000)}深处${'</div>'.repeat(200_000)}<a href="/after">after</a></body></html>`;
    const t0 = performance.now();
    const doc = parseHtml(html);
    const divs = select('div', doc).length;
    const text = visibleText(doc);
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(5000);
    expect(divs).toBeLessThanOrEqual(DEFAULT_MAX_DEPTH);
    expect(text).toContain('网站标识码：5118000022');
    expect(cutDeepNesting(html)).not.toBeNull();
  });

  it('leaves a page of ordinary depth whole', () => {
    const html = '<html><body><div><ul><li><a href="/x">x</a></li></ul></div><img src="a.png"><br></body></html>';
    expect(cutDeepNesting(html)).toBeNull();
    expect(select('a', parseHtml(html)).length).toBe(1);
  });
});
