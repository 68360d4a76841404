import { describe, expect, it } from 'vitest';
import { governmentHomepage } from '@govscan/testbed';
import { columnKind, columnLinks, extractPage, resolveLink } from './extract.js';

const today = { y: 2018, m: 6, d: 6 };
const base = new URL('http://www.yaan.gov.cn/index.html');

describe('extractPage', () => {
  it('reads the testbed homepage: its dated news list, its columns, its links and images', () => {
    const html = governmentHomepage({ code: '5118000022', name: '雅安市人民政府', unit: '雅安市人民政府办公室', host: 'www.yaan.gov.cn', icp: '蜀ICP备05005390号-1', psb: '川公网安备 51180002000100号' }, { date: new Date('2018-06-06T04:00:00Z') });
    const p = extractPage(html, 'http://www.yaan.gov.cn/', today);
    expect(p.title).toBe('雅安市人民政府');
    expect(p.columnType).toBe('首页');
    expect(p.lists).toHaveLength(1);
    expect(p.lists[0]!.items).toHaveLength(8);
    expect(p.lists[0]!.items.every((i) => i.date !== null)).toBe(true);
    expect(p.lists[0]!.items[0]!.href).toMatch(/^http:\/\/www\.yaan\.gov\.cn\/art\/2018\/6\/6\//);
    const cols = columnLinks(p, 'http://www.yaan.gov.cn/', (u) => new URL(u).hostname === 'www.yaan.gov.cn', 30);
    expect(cols.map((c) => c.name)).toEqual(['要闻动态', '通知公告', '政策文件', '政务公开', '政务服务', '互动交流', '政府信息公开']);
    expect(p.links.find((l) => l.url === 'https://beian.miit.gov.cn/')?.region).toBe('footer');
    expect(p.images.map((i) => i.url)).toEqual(['http://www.yaan.gov.cn/images/logo.png', 'http://www.yaan.gov.cn/images/gaba.png']);
  });

  it('takes the date from outside the title, in tables and bracketed forms too', () => {
    const html = `<table class="list"><tr><td><a href="/a">关于2017年6月1日停电的通知事项</a></td><td>[06-01]</td></tr><tr><td><a href="/b">第二条消息的标题比较长</a></td><td>2018/5/30</td></tr></table>`;
    const p = extractPage(html, base.href, today);
    expect(p.lists[0]!.items.map((i) => i.date?.raw)).toEqual(['[06-01]', '2018/5/30']);
  });

  it('resolves relative URLs the way a browser does, honouring <base href>', () => {
    const html = `<base href="http://other.gov.cn/dir/"><div class="main"><a href="x.html">相对链接的文字</a><a href="//cdn.example.com/y">协议相对</a><a href="/../../z">上级目录</a></div>`;
    const p = extractPage(html, base.href, today);
    expect(p.links.map((l) => l.url)).toEqual(['http://other.gov.cn/dir/x.html', 'http://cdn.example.com/y', 'http://other.gov.cn/z']);
  });

  it('skips javascript:, mailto:, tel:, data: and other schemes however they are disguised, and never follows them', () => {
    const hrefs = ['javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', 'jav&#x09;ascript:alert(1)', 'mailto:ban@yaan.gov.cn', 'tel:08352222222', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', 'ftp://x.gov.cn/', '#top', '', 'http://[::1', `http://x.gov.cn/${'a'.repeat(5000)}`];
    const html = hrefs.map((h) => `<a href="${h.replace(/"/g, '&quot;')}">链接</a>`).join('') + '<img src="data:image/png;base64,AAAA">';
    const p = extractPage(html, base.href, today);
    expect(p.links).toEqual([]);
    expect(p.skipped).toEqual({ javascript: 4, mailto: 1, tel: 1, data: 1, 'other-scheme': 2, fragment: 2, unparseable: 1, overlong: 1, 'img-data': 1 });
  });

  it('drops fragments and credentials from links', () => {
    expect(resolveLink('http://user:pw@x.gov.cn/a#b', base)).toEqual({ url: 'http://x.gov.cn/a' });
    expect(resolveLink('\\\\evil.example.com\\x', base)).toEqual({ url: 'http://evil.example.com/x' });
  });

  it('bounds the work on a page with 10,000 links and 10,000 list items', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => `<li><a href="/art/${i}.html">第${i}条信息的标题文字内容</a><span>2018-06-0${(i % 5) + 1}</span></li>`).join('');
    const t0 = performance.now();
    const p = extractPage(`<ul>${items}</ul>`, base.href, today);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(p.links.length).toBe(2000);
    expect(p.cut.links).toBe(8000);
    expect(p.lists[0]!.items.length).toBe(2000);
    expect(p.cut.items).toBe(8000);
  });

  it('survives hostile markup: 50,000 nested elements, unclosed tags, NUL bytes, giant attributes', () => {
    const deep = '<div>'.repeat(50_000) + '<li><a href="/x">深处的链接标题文字很长</a> 2018-06-01' + '</div>'.repeat(10);
    const nestedLists = '<ul><li><a href="/n">嵌套</a>'.repeat(20_000);
    const junk = `<a href="/a" class="${'x'.repeat(1_000_000)}">\u0000标题\u0000</a><li><p><b><i><a href=/b>未闭合的标签<<<>>>&#xZZ;&amp</a>`;
    for (const html of [deep, nestedLists, junk]) {
      const t0 = performance.now();
      const p = extractPage(html, base.href, today);
      expect(performance.now() - t0).toBeLessThan(5000);
      expect(p.links.length).toBeLessThanOrEqual(2000);
    }
    const p = extractPage(deep, base.href, today);
    expect(p.cut.nodes || p.links.length === 1).toBe(true);
  });

  it('fingerprints the content, not the page chrome', () => {
    const page = (nav: string) => `<div class="nav"><a href="/">${nav}</a></div><div class="content"><h1>标题</h1><p>${'正文内容'.repeat(20)}</p></div>`;
    expect(extractPage(page('首页'), base.href, today).contentHash).toBe(extractPage(page('网站首页'), base.href, today).contentHash);
    expect(extractPage('<p>短</p>', base.href, today).contentHash).toBeNull();
  });
});

describe('columnKind', () => {
  it('infers news and notice columns from ColumnType, then the name', () => {
    expect(columnKind('要闻动态', null)).toBe('dynamic');
    expect(columnKind('重要信息转载', null)).toBe('dynamic');
    expect(columnKind('通知公告', null)).toBe('notice');
    expect(columnKind('政策文件', null)).toBe('notice');
    expect(columnKind('互动交流', null)).toBe('other');
    expect(columnKind('工作信息', '工作动态')).toBe('dynamic');
    expect(columnKind('栏目', '通知公告')).toBe('notice');
  });
});
