import { describe, expect, it } from 'vitest';
import { conacScriptUrl, governmentHomepage, type SitePageInput } from './homepage.js';
import { fetchWorld } from './test-utils.js';
import { startWorld } from './world.js';

const YAAN: SitePageInput = {
  code: '5118000001',
  name: '雅安市人民政府',
  unit: '雅安市人民政府办公室',
  host: 'www.yaan.gov.cn',
  icp: '蜀ICP备05003012号',
  psb: '川公网安备 51180202000101号',
  contact: '0835-2221234',
};

describe('governmentHomepage', () => {
  const date = new Date('2025-03-15T02:00:00Z'); // 10:00 in Beijing
  const html = governmentHomepage(YAAN, { date });

  it('is a full UTF-8 HTML5 page with the site metadata', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<title>雅安市人民政府</title>');
    expect(html).toContain('<meta name="SiteName" content="雅安市人民政府">');
    expect(html).toContain('<meta name="SiteDomain" content="www.yaan.gov.cn">');
    expect(html).toContain('<meta name="SiteIDCode" content="5118000001">');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('has a nav of columns linking to /col/xxx/', () => {
    for (const column of ['要闻动态', '通知公告', '政策文件', '政务公开']) {
      expect(html).toMatch(new RegExp(`<a href="/col/[a-z]+/">${column}</a>`));
    }
  });

  it('lists ~8 news items, most recent on options.date, dates descending', () => {
    const dates = [...html.matchAll(/<span class="date">(\d{4}-\d{2}-\d{2})<\/span>/g)].map((m) => m[1] ?? '');
    expect(dates).toHaveLength(8);
    expect(dates[0]).toBe('2025-03-15');
    expect([...dates].sort().reverse()).toEqual(dates);
  });

  it('uses China time for dates', () => {
    // 2025-03-15T17:00Z is already the 16th in Beijing
    const late = governmentHomepage(YAAN, { date: new Date('2025-03-15T17:00:00Z') });
    expect(late).toContain('<span class="date">2025-03-16</span>');
  });

  it('has the footer: unit, phone, site code, ICP link, PSB, CONAC and jiucuo scripts', () => {
    expect(html).toContain('主办单位：雅安市人民政府办公室');
    expect(html).toContain('联系电话：0835-2221234');
    expect(html).toContain('网站标识码：5118000001');
    expect(html).toMatch(/<a href="https:\/\/beian\.miit\.gov\.cn\/"[^>]*>蜀ICP备05003012号<\/a>/);
    expect(html).toContain('川公网安备 51180202000101号');
    expect(html).toContain('recordcode=51180202000101');
    expect(html).toContain(`<script type="text/javascript" src="${conacScriptUrl('5118000001')}"></script>`);
    expect(html).toContain(
      '<script id="_jiucuo_" sitecode="5118000001" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>',
    );
  });

  it('derives the CONAC script id from the code', () => {
    const url = conacScriptUrl('5118000001');
    expect(url).toMatch(/^https:\/\/dcs\.conac\.cn\/js\/51\/000\/0000\/(?<id>\d{8})\/CA510000000\k<id>0001\.js$/);
    expect(conacScriptUrl('5118000001')).toBe(url);
    expect(conacScriptUrl('5118000002')).not.toBe(url);
    expect(conacScriptUrl('bm01000001')).toMatch(/^https:\/\/dcs\.conac\.cn\/js\/10\//);
  });

  it('omits ICP and PSB when absent', () => {
    const bare = governmentHomepage({ code: '5100000001', name: '某某局', unit: '某某局', host: 'x.gov.cn' });
    expect(bare).not.toContain('beian.miit.gov.cn');
    expect(bare).not.toContain('beian.gov.cn');
    expect(bare).not.toContain('联系电话');
  });

  it('escapes interpolated text', () => {
    const evil = governmentHomepage({
      code: '51"><script>x</script>',
      name: '<script>alert(1)</script>',
      unit: 'A & B',
      host: 'x.gov.cn"',
      icp: "<b>'icp'</b>",
    });
    expect(evil).not.toContain('<script>alert(1)</script>');
    expect(evil).not.toContain('<script>x</script>');
    expect(evil).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(evil).toContain('A &amp; B');
    expect(evil).toContain('content="x.gov.cn&quot;"');
    expect(evil).toContain('&lt;b&gt;&#39;icp&#39;&lt;/b&gt;');
  });

  it('can be served by a world', async () => {
    const world = await startWorld({
      hosts: [{ name: YAAN.host, https: { pages: { '/': { body: html } } } }],
    });
    try {
      const res = await fetchWorld(world, { host: YAAN.host, tls: true });
      expect(res.status).toBe(200);
      expect(res.body.toString('utf8')).toBe(html);
    } finally {
      await world.stop();
    }
  });
});
