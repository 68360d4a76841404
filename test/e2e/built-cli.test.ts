import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli, repoRoot, runBuiltCli, tempDir } from '../helpers/cli.js';
import { findingsJson, fromCsv, fromHtmlTable, fromMarkdown, fromReport, fromTerminal, fromXlsx, matchesClipped, noticeTexts } from '../helpers/outputs.js';
import { findingsErrors, sarifErrors } from '../helpers/schemas.js';

/**
 * Every output of a run says the same, site by site, as its findings.json (the
 * judged model): 存在的突出问题 in the terminal, the 汇总表's four formats and
 * report.html; 是否完成整改 there too when the run was compared with an earlier
 * one, and in rectification.json/.md; a notice goes to exactly the sites with
 * a 突出问题, and marks what persists.
 */
async function expectAgreement(out: string, stdout: string, compared: boolean): Promise<void> {
  const json = await findingsJson(out);
  const codes = json.sites.map((s) => s.code);
  const [csv, xlsx, md, html, report, notices] = await Promise.all([fromCsv(out), fromXlsx(out), fromMarkdown(out), fromHtmlTable(out), fromReport(out), noticeTexts(out)]);
  const terminal = fromTerminal(stdout, codes);
  const rect = compared ? JSON.parse(await readFile(path.join(out, 'rectification.json'), 'utf8')) : null;
  const rectMd = compared ? await readFile(path.join(out, 'rectification.md'), 'utf8') : '';
  for (const s of json.sites) {
    const where = `${s.code} ${s.name}`;
    for (const [format, got] of [['csv', csv], ['xlsx', xlsx], ['md', md], ['html table', html], ['report.html', report]] as const) {
      expect(got.get(s.code)?.problems, `${format} 存在的突出问题 of ${where}`).toBe(s.problems);
      expect(got.get(s.code)?.rectified, `${format} 是否完成整改 of ${where}`).toBe(s.rectified ?? '');
    }
    const row = terminal.get(s.code)!;
    expect(row, `terminal row of ${where}`).toBeDefined();
    const [problemsCell, rectifiedCell] = compared ? row.slice(-2) : [row.at(-1)!, ''];
    expect(matchesClipped(problemsCell!, s.problems), `terminal 存在的突出问题 of ${where}: ${problemsCell}`).toBe(true);
    if (compared) expect(matchesClipped(rectifiedCell!, s.rectified || '-'), `terminal 是否完成整改 of ${where}: ${rectifiedCell}`).toBe(true);
    // a notice exactly where there is a 突出问题, naming each of them
    expect(notices.has(s.code), `notice for ${where} (${s.state})`).toBe(s.state === 'problems');
    if (s.state === 'problems') for (const id of s.problemRules) expect(notices.get(s.code)).toContain(json.rules.find((r) => r.id === id)!.title.zh);
    if (compared) {
      const mark = (s.rectified ?? '').replace(/（.*$/, '');
      expect(rect.sites.find((x: { code: string }) => x.code === s.code).rectified, `rectification.json of ${where}`).toBe(mark);
      if (mark) expect(rectMd).toContain(`## ${s.name}（${s.code}）：是否完成整改 ${mark}`);
      if (mark === '否') expect(notices.get(s.code)).toContain('上次检查已发现，尚未整改');
    }
  }
  // the portal: A+ TLS, A+ headers, no problem — 无 everywhere, and no notice
  const portal = json.sites.find((s) => s.code === '5118000022')!;
  expect(portal).toMatchObject({ state: 'clean', problems: '无', grades: { 'http.grade': 'A+', 'tls.grade': 'A+' } });
  expect(terminal.get('5118000022')).toEqual(expect.arrayContaining(['A+/A+', '无']));
  expect(notices.has('5118000022')).toBe(false);
}

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  if (!existsSync(builtCli)) throw new Error(`${builtCli} is missing: run 'pnpm build' (pnpm test builds first)`);
  ({ dir, cleanup } = await tempDir());
});
afterAll(async () => cleanup?.());

describe('the built CLI under plain node', () => {
  it('prints its version and help', async () => {
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'packages/cli/package.json'), 'utf8'));
    const v = await runBuiltCli(['--version']);
    expect(v).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    const h = await runBuiltCli(['scan', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/--connect-to H1:P1:H2:P2/);
  });

  it('runs the demo: summary on stdout, nothing on stderr, findings.json and findings.sarif written', async () => {
    const out = path.join(dir, 'demo');
    const r = await runBuiltCli(['demo', '--out', out], { timeoutMs: 240_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/41 sites: \d+ checked completely, \d+ checked in part, \d+ not checked/);
    expect(r.stdout).toMatch(/\d+ sites with problems, \d+ problems/);
    const planted = /planted problems found: (\d+) of (\d+)/.exec(r.stdout);
    expect(planted?.[1]).toBe(planted?.[2]);
    expect(Number(planted?.[2])).toBeGreaterThanOrEqual(3);
    const doc = JSON.parse(await readFile(path.join(out, 'findings.json'), 'utf8'));
    expect(findingsErrors(doc)).toEqual([]);
    expect(doc.sites).toHaveLength(41);
    expect(sarifErrors(JSON.parse(await readFile(path.join(out, 'findings.sarif'), 'utf8')))).toEqual([]);
    // the other reports, and the investigated counterfeits' cases
    for (const f of ['census-table.xlsx', 'census-table.csv', 'report.html', 'notices.html']) await readFile(path.join(out, f));
    const cases = await readdir(path.join(out, 'cases'));
    expect(cases.filter((c) => c.startsWith('CASE-'))).toHaveLength(2);
    const v = await runBuiltCli(['verify', path.join(out, 'cases', cases.find((c) => c.startsWith('CASE-'))!)]);
    expect(v.code).toBe(0);
    await expectAgreement(out, r.stdout, false);

    // the next quarter: the census problems rectified, 是否完成整改 filled in
    const q2 = await runBuiltCli(['demo', '--out', out, '--next-quarter'], { timeoutMs: 240_000 });
    expect(q2.stderr).toBe('');
    expect(q2.code).toBe(0);
    expect(q2.stdout).toContain('govscan diff');
    const table = await readFile(path.join(out, 'next-quarter', 'census-table.csv'), 'utf8');
    expect(table).toMatch(/芦山县人民政府,5118260001,[^\n]*,是/);
    await expectAgreement(path.join(out, 'next-quarter'), q2.stdout, true);
    // govscan diff of the two folders says what the scan with --previous said, site by site
    const d = await runBuiltCli(['diff', out, path.join(out, 'next-quarter'), '--out', path.join(dir, 'diff-out')]);
    expect(d.code).toBe(0);
    const viaDiff = await fromCsv(path.join(dir, 'diff-out'));
    for (const [code, cells] of await fromCsv(path.join(out, 'next-quarter'))) expect(viaDiff.get(code)).toEqual(cells);
    const marks = JSON.parse(await readFile(path.join(dir, 'diff-out', 'rectification.json'), 'utf8')).sites.map((x: { rectified: string }) => x.rectified);
    expect(marks.filter((m: string) => m === '是').length).toBeGreaterThan(0);
    expect(marks.filter((m: string) => m === '否').length).toBeGreaterThan(0);
  }, 600_000);

  it('exits 2 naming file, line and field for a bad registry', async () => {
    const r = await runBuiltCli(['scan', '--registry', path.join(repoRoot, 'test/fixtures/bad-registry.yaml'), '--out', path.join(dir, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/bad-registry\.yaml:6: sites\[0\]\.code: "511800002" is not a site code/);
  });
});
