import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sampleCensusRun } from '@govscan/report-census/testing';
import { htmlReporter, renderHtmlReport } from './index.js';

describe('report.html', () => {
  it('is one self-contained file: no external reference, one inline script allowed by its hash', async () => {
    const html = renderHtmlReport(await sampleCensusRun({ '5118260001': ['slow', 'duplicate'] }));
    expect(htmlReporter).toMatchObject({ id: 'html', fileName: 'report.html' });
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<link\b/);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    const hash = createHash('sha256').update(scripts[0]![1]!).digest('base64');
    expect(html).toContain(`script-src 'sha256-${hash}'`);
    expect(html).toContain("default-src 'none'");
  });

  it('has the overview counts, a chart, the sites table and the details with evidence', async () => {
    const html = renderHtmlReport(await sampleCensusRun({ '5118260001': ['slow', 'duplicate'], '5118220036': ['broken'] }));
    expect(html).toContain('<b id="count-findings">3</b>');
    expect(html).toContain('<b id="count-medium">1</b>');
    expect(html).toMatch(/<svg id="chart"[^>]*>.*网站首页访问速度较慢/);
    expect(html).toContain('<b id="count-problem-sites">2</b>');
    expect(html).toMatch(/<tr data-site="5118220036"[^>]*data-state="problems"><td>3<\/td>.*<td class="state state-problems"[^>]*>有问题<\/td>/);
    expect(html).toMatch(/<tr data-site="5118000022"[^>]*data-state="clean">.*<td class="state state-clean"[^>]*>无问题<\/td>.*<td class="problems-text">无</);
    expect(html).toContain('链接 https://www.yingjing.gov.cn/art/1.html（位于 https://www.yingjing.gov.cn/）：HTTP 404');
  });

  it('escapes every scanned text', async () => {
    const html = renderHtmlReport(await sampleCensusRun({ '5118000022': ['duplicate', 'staleColumn', 'hostile'] }));
    expect(html).not.toContain('<script>window.__pwned');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
  });

  it('says 未能检查 of a site whose checks did not complete, never 无', async () => {
    const html = renderHtmlReport(await sampleCensusRun({}, { omitDuplicatesFor: ['5118260001'], unknownFor: ['5118260001'] }));
    expect(html).toMatch(/<tr data-site="5118260001"[^>]*data-state="partial">.*部分未能检查（1 项）：部分文章页未能读取（访问超时）；已完成的 9 项未发现问题/);
    expect(html).toContain('<b id="count-partial">1</b>');
    expect(html).toMatch(/未能检查的项目.*信息重复发布/);
  });
});
