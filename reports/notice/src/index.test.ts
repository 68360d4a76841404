import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCensusRun } from '@govscan/report-census/testing';
import { buildNotices, noticeDocx, noticeFileBase, noticeReporter, noticesHtml, parseDeadline } from './index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'govscan-notice-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const PROBLEMS = { '5118260001': ['slow', 'duplicate'], '5118220036': ['broken', 'staleColumn'] } as const;

async function docxText(buf: Buffer): Promise<string> {
  const zip = await JSZip.loadAsync(buf);
  const xml = await zip.file('word/document.xml')!.async('string');
  return [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('');
}

describe('整改通知书', () => {
  it('one notice per site with findings: the site, each problem with evidence and remediation, a deadline', async () => {
    const notices = buildNotices(await sampleCensusRun({ ...PROBLEMS }), { deadline: '2018-06-30' });
    expect(notices.map((n) => n.code)).toEqual(['5118260001', '5118220036']);
    const n = notices[1]!;
    expect(n).toMatchObject({ name: '荥经县人民政府', unit: '荥经县人民政府办公室', checkedOn: '2018年6月6日', deadline: '2018年6月30日' });
    expect(n.problems.map((p) => p.rule.id)).toEqual(['census.column.stale', 'census.links.broken']);
    const html = noticesHtml([n]);
    expect(html).toContain('荥经县人民政府办公室：');
    expect(html).toContain('网站标识码：5118220036');
    expect(html).toContain('一、栏目更新不及时（问题等级：中）');
    expect(html).toContain('检查情况：链接 https://www.yingjing.gov.cn/art/1.html（位于 https://www.yingjing.gov.cn/）：HTTP 404');
    expect(html).toContain('整改要求：修正或删除失效链接');
    expect(html).toContain('请你单位于2018年6月30日前完成整改');
  });

  it('writes an editable .docx and an HTML notice per site, and all of them in one page', async () => {
    const files = await noticeReporter.write!(await sampleCensusRun({ ...PROBLEMS }), dir, {});
    expect(files.map((f) => path.relative(dir, f)).sort()).toEqual(['notices.html', 'notices/5118220036-荥经县人民政府.docx', 'notices/5118220036-荥经县人民政府.html', 'notices/5118260001-芦山县人民政府.docx', 'notices/5118260001-芦山县人民政府.html']);
    const text = await docxText(await readFile(path.join(dir, 'notices/5118260001-芦山县人民政府.docx')));
    expect(text).toContain('政府网站整改通知书');
    expect(text).toContain('芦山县人民政府办公室：');
    expect(text).toContain('网站首页访问速度较慢');
    expect(text).toContain('请你单位于2018年6月21日前完成整改'); // default: 15 days after the check
    expect((await readdir(path.join(dir, 'notices'))).length).toBe(4);
  });

  it('escapes scanned text in the HTML and keeps it literal in the .docx', async () => {
    const run = await sampleCensusRun({ '5118000022': ['duplicate', 'hostile'] });
    const [n] = buildNotices(run);
    const html = noticesHtml([n!]);
    expect(html).not.toContain('<script>window.__pwned');
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(await docxText(await noticeDocx(n!))).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
  });

  it('marks problems the earlier run found that are still there', async () => {
    const previous = await sampleCensusRun({ ...PROBLEMS });
    const current = await sampleCensusRun({ '5118220036': ['staleColumn'] });
    const [n] = buildNotices(current, { previous });
    expect(n!.problems.map((p) => [p.rule.id, p.persisting])).toEqual([['census.column.stale', true]]);
    expect(noticesHtml([n!])).toContain('上次检查已发现，尚未整改');
  });

  it('takes a deadline as a date or a number of days, and refuses anything else', () => {
    const at = new Date('2018-06-06T04:00:00Z');
    expect(parseDeadline(undefined, at)).toBe('2018年6月21日');
    expect(parseDeadline('30', at)).toBe('2018年7月6日');
    expect(parseDeadline('2018-07-01', at)).toBe('2018年7月1日');
    expect(() => parseDeadline('2018-02-30', at)).toThrow(/--deadline/);
    expect(() => parseDeadline('next week', at)).toThrow(/--deadline/);
  });

  it('makes safe file names', () => {
    expect(noticeFileBase({ code: '5118000013', name: '四川雅安芦天宝飞地产业园区 四川雅安经济开发区' })).toBe('5118000013-四川雅安芦天宝飞地产业园区_四川雅安经济开发区');
    expect(noticeFileBase({ code: '5118000013', name: '../../etc/passwd' })).toBe('5118000013-.._.._etc_passwd');
  });
});
