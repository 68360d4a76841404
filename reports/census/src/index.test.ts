import { mkdtemp, readFile, rm, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRuns, groupByRule, problemsPhrase, rulesOf } from '@govscan/core';
import { CENSUS_FILES, censusReporter, censusRows, renderCsv, TABLE_HEADER, TABLE_LEGEND } from './index.js';
import { sampleCensusRun } from './testing.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'govscan-census-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const Q1 = { '5118260001': ['slow', 'duplicate'], '5118220036': ['broken', 'staleColumn'] } as const;

describe('the 汇总表', () => {
  it('has one row per registry site, in registry order, the problems in plain Chinese', async () => {
    const rows = censusRows(await sampleCensusRun({ ...Q1 }));
    expect(rows).toEqual([
      { 序号: 1, 网站名称: '雅安市人民政府', 网站标识码: '5118000022', 存在的突出问题: '无', 是否完成整改: '', state: 'clean' },
      { 序号: 2, 网站名称: '芦山县人民政府', 网站标识码: '5118260001', 存在的突出问题: '信息重复发布、网站速度较慢', 是否完成整改: '', state: 'problems' },
      { 序号: 3, 网站名称: '荥经县人民政府', 网站标识码: '5118220036', 存在的突出问题: '栏目更新不及时（要闻动态）、链接无法打开', 是否完成整改: '', state: 'problems' },
    ]);
  });

  it('writes CSV with a BOM in the seed shape, and a workbook Excel reads back', async () => {
    const out = path.join(dir, 'q1');
    await mkdir(out);
    const files = await censusReporter.write!(await sampleCensusRun({ ...Q1 }), out);
    expect(files.map((f) => path.basename(f)).sort()).toEqual([CENSUS_FILES.csv, CENSUS_FILES.html, CENSUS_FILES.md, CENSUS_FILES.xlsx].sort());
    const csv = await readFile(path.join(out, CENSUS_FILES.csv));
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toBe('序号,网站名称,网站标识码,存在的突出问题,是否完成整改');
    expect(lines[2]).toBe('2,芦山县人民政府,5118260001,"信息重复发布、网站速度较慢",');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile(path.join(out, CENSUS_FILES.xlsx))) as never);
    const ws = wb.getWorksheet('汇总表')!;
    expect(ws.getCell('A1').value).toBe('政府网站普查情况汇总表');
    expect(ws.getRow(3).values).toEqual([undefined, ...TABLE_HEADER]);
    expect(ws.getRow(5).values).toEqual([undefined, 2, '芦山县人民政府', '5118260001', '信息重复发布、网站速度较慢', '']);
    expect(ws.rowCount).toBe(7);
    expect(ws.getRow(7).getCell(1).value).toBe(TABLE_LEGEND);
    const md = await readFile(path.join(out, CENSUS_FILES.md), 'utf8');
    expect(md).toContain('| 3 | 荥经县人民政府 | 5118220036 | 栏目更新不及时（要闻动态）、链接无法打开 |  |');
  });

  it('escapes scanned text in every format, and defuses spreadsheet formulas', async () => {
    const run = await sampleCensusRun({ '5118000022': ['staleColumn', 'hostile'] });
    const html = (await import('./table.js')).renderHtmlTable(censusRows(run), { subtitle: '<b>x</b>' });
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('栏目更新不及时（&lt;img src=x onerror=…）');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    const csv = renderCsv([{ 序号: 1, 网站名称: '=HYPERLINK("http://x")', 网站标识码: '5118000022', 存在的突出问题: '@SUM(1)', 是否完成整改: '', state: 'problems' }]);
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(csv).toContain(`,'@SUM(1),`);
  });
});

describe('rectification (是否完成整改)', () => {
  it('marks 是 when every earlier finding is verified gone, 否 with what remains, and lists new ones', async () => {
    const q1 = await sampleCensusRun({ ...Q1 });
    const q2 = await sampleCensusRun({ '5118220036': ['staleColumn'], '5118000022': ['brokenImage'] }, { startedAt: '2018-09-06T04:00:00.000Z' });
    const r = compareRuns(q1, q2);
    expect(r.totals).toEqual({ previous: 4, fixed: 3, persisting: 1, unverified: 0, new: 1 });
    const rows = censusRows(q2, r, {}, q1);
    expect(rows.map((x) => [x.存在的突出问题, x.是否完成整改])).toEqual([
      ['新发现：图片没有显示', ''],
      ['信息重复发布、网站速度较慢', '是'],
      ['栏目更新不及时（要闻动态）、链接无法打开', '否（未整改：栏目更新不及时（要闻动态））'],
    ]);
  });

  it('never counts as fixed what the later run could not check', async () => {
    const q1 = await sampleCensusRun({ ...Q1 });
    // the duplicates check did not run on 芦山 this time, and one of its checks ended unknown
    const q2 = await sampleCensusRun({}, { omitDuplicatesFor: ['5118260001'], unknownFor: ['5118260001'] });
    const site = compareRuns(q1, q2).sites.find((s) => s.code === '5118260001')!;
    expect(site.fixed.map((f) => f.ruleId)).toEqual(['census.slow']);
    expect(site.unverified.map((f) => f.ruleId)).toEqual(['census.content.duplicate']);
    expect(site.mark).toBe('未能核实');
    const row = censusRows(q2, compareRuns(q1, q2), {}, q1).find((x) => x.网站标识码 === '5118260001')!;
    expect(row.是否完成整改).toBe('未能核实（本次未能检查：信息重复发布；部分文章页未能读取（访问超时））');
    expect(row.state).toBe('partial');
  });

  it('writes rectification files when given the earlier run folder', async () => {
    const out = path.join(dir, 'q2');
    await mkdir(out);
    const files = await censusReporter.write!(await sampleCensusRun({}), out, { previous: await sampleCensusRun({ ...Q1 }) });
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining([CENSUS_FILES.rectificationJson, CENSUS_FILES.rectificationMd]));
    const csv = await readFile(path.join(out, CENSUS_FILES.csv), 'utf8');
    expect(csv).toContain('2,芦山县人民政府,5118260001,"信息重复发布、网站速度较慢",是');
    const j = JSON.parse(await readFile(path.join(out, CENSUS_FILES.rectificationJson), 'utf8'));
    expect(j.totals).toMatchObject({ previous: 4, fixed: 4 });
  });
});

describe('problem phrases', () => {
  it("word several findings of one rule once, the rule's detail after it", async () => {
    const run = await sampleCensusRun({ '5118220036': ['broken', 'brokenImage'] });
    expect(problemsPhrase(groupByRule(run.findings.filter((f) => f.site.code === '5118220036'), rulesOf(run)))).toBe('链接无法打开、图片没有显示');
  });
});
