/**
 * One truth in every output: a site that was not checked is never 无 — not in
 * the terminal, the 汇总表 (xlsx, csv, md, html), the notices, the HTML report,
 * findings.json or SARIF — and the run exits 4 (incomplete).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry, type Registry } from '@govscan/core';
import { startWorld, type World } from '@govscan/testbed';
import { demoRegistryPath, demoWorld, scanCommand, type ScanCommandOptions } from 'govscan';
import { sink, tempDir } from '../helpers/cli.js';
import { findingsJson, fromCsv, fromHtmlTable, fromMarkdown, fromReport, fromTerminal, fromXlsx, matchesClipped } from '../helpers/outputs.js';
import { findingsErrors, sarifErrors } from '../helpers/schemas.js';

let registry: Registry;
let dir: string;
let cleanup: () => Promise<void>;
const ALL_FORMATS = ['json', 'sarif', 'census', 'notice', 'html'];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  registry = await loadRegistry(demoRegistryPath);
});
afterAll(async () => cleanup?.());

async function scan(o: Partial<ScanCommandOptions> & { out: string }): Promise<{ exitCode: number; stdout: string }> {
  const stdout = sink();
  const r = await scanCommand({ registry: demoRegistryPath, formats: ALL_FORMATS, concurrency: 48, timeoutMs: 2000, allowPrivateTargets: true, logLevel: 'silent', summary: true, stdout, failOn: 'high', ...o }, registry);
  return { exitCode: r.exitCode, stdout: stdout.text() };
}

/** Every output says the same of each site, and no site reads 无 unless `clean` lists it. */
async function expectOneTruth(out: string, stdout: string, clean: readonly string[]): Promise<void> {
  const json = await findingsJson(out);
  expect(findingsErrors(json)).toEqual([]);
  const sarif = JSON.parse(await readFile(path.join(out, 'findings.sarif'), 'utf8'));
  expect(sarifErrors(sarif)).toEqual([]);
  const codes = json.sites.map((s) => s.code);
  const [csv, xlsx, md, html, report] = await Promise.all([fromCsv(out), fromXlsx(out), fromMarkdown(out), fromHtmlTable(out), fromReport(out)]);
  const terminal = fromTerminal(stdout, codes);
  const notices = await readFile(path.join(out, 'notices.html'), 'utf8');
  for (const s of json.sites) {
    const want = s.problems;
    expect(s.state === 'clean', `${s.code} ${s.name}: ${want}`).toBe(clean.includes(s.code));
    expect(want === '无').toBe(clean.includes(s.code));
    for (const [format, got] of [['csv', csv], ['xlsx', xlsx], ['md', md], ['html table', html], ['report.html', report]] as const) expect(got.get(s.code)?.problems, `${format}: ${s.code}`).toBe(want);
    expect(report.get(s.code)?.state).toBe(s.state);
    const row = terminal.get(s.code);
    expect(row, `terminal row of ${s.code}`).toBeDefined();
    expect(matchesClipped(row!.at(-1)!, want), `terminal: ${row!.at(-1)} vs ${want}`).toBe(true);
    // SARIF: what could not be decided is an `open` result, never silence
    const open = sarif.runs[0].results.filter((r: { kind: string; properties: { siteCode: string } }) => r.kind === 'open' && r.properties.siteCode === s.code);
    expect(open.length).toBe(s.undetermined.length);
  }
  if (clean.length < codes.length) expect(notices).not.toContain('本次检查全部完成，未发现需要整改的问题');
  expect(json.summary.incomplete).toBe(clean.length < codes.length && json.sites.some((s) => s.undetermined.length > 0));
}

describe('never 无 where nothing was checked', () => {
  it('a resolver that is down: every site 未能检查, the reason named, exit 4 under --fail-on high', async () => {
    const out = path.join(dir, 'dead');
    const sites = registry.sites.slice(0, 6).map((s) => s.code);
    const r = await scan({ out, resolver: '127.0.0.1:9', sites, allowPrivateTargets: false });
    expect(r.exitCode).toBe(4);
    await expectOneTruth(out, r.stdout, []);
    const json = await findingsJson(out);
    // no check got an answer: not checked, whatever the registry alone let the naming rules decide
    expect(json.sites.every((s) => s.state === 'unchecked')).toBe(true);
    expect(json.sites[0]!.problems).toBe('未能检查：首页无法访问（DNS 无法解析）');
    expect(json.summary).toMatchObject({ sitesChecked: 0, sitesUnchecked: 6, sitesWithProblems: 0 });
    expect(r.stdout).toMatch(/6 sites: 0 checked completely, 0 checked in part, 6 not checked \(首页无法访问（DNS 无法解析） ×6\)/);
    expect(await readFile(path.join(out, 'notices.html'), 'utf8')).toContain('有 6 个网站未能完整检查');
  }, 60_000);

  it('an interrupted scan: every check not run is unknown, no site reads 无, exit 4', async () => {
    const out = path.join(dir, 'interrupted');
    const r = await scan({ out, resolver: '127.0.0.1:9', sites: registry.sites.slice(0, 4).map((s) => s.code), signal: AbortSignal.abort() });
    expect(r.exitCode).toBe(4);
    await expectOneTruth(out, r.stdout, []);
    const json = await findingsJson(out);
    expect(json.sites.map((s) => s.problems)).toEqual(Array(4).fill('未能检查：检查被中断'));
  }, 60_000);

  describe('a partly checked scan of the demo world', () => {
    let world: World;
    let result: { exitCode: number; stdout: string };
    const out = (): string => path.join(dir, 'partial');
    const portal = '5118000022';
    const shimian = '5118240001';
    beforeAll(async () => {
      const { scenario } = demoWorld(registry, new Date());
      // 石棉县's zone answers SERVFAIL: its CAA and name-server checks cannot be made; everything else can
      const zone = scenario.hosts.find((h) => h.name === 'shimian.gov.cn');
      if (zone) zone.dns = { rcode: 'SERVFAIL' };
      else scenario.hosts.push({ name: 'shimian.gov.cn', dns: { rcode: 'SERVFAIL' } });
      world = await startWorld(scenario);
      result = await scan({ out: out(), resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile, sites: [portal, shimian], timeoutMs: 15_000, failOn: 'critical' });
    }, 120_000);
    afterAll(async () => world?.stop());

    it('the healthy portal reads 无 with A+/A+, the half-checked county says what it could not check, exit 4', async () => {
      expect(result.exitCode).toBe(4);
      await expectOneTruth(out(), result.stdout, [portal]);
      const json = await findingsJson(out());
      const p = json.sites.find((s) => s.code === portal)!;
      expect(p).toMatchObject({ state: 'clean', problems: '无', grades: { 'http.grade': 'A+', 'tls.grade': 'A+' } });
      expect(fromTerminal(result.stdout, [portal]).get(portal)).toEqual(expect.arrayContaining(['A+/A+', '无']));
      const s = json.sites.find((x) => x.code === shimian)!;
      expect(s.undetermined.map((u) => u.ruleId)).toEqual(expect.arrayContaining(['dns.ns.single']));
      expect(s.problems).toMatch(/项未能检查：域名解析失败（DNS 无法解析）|部分检查结果无法确定/);
      expect(result.stdout).toMatch(/2 sites: 1 checked completely, 1 checked in part, 0 not checked/);
    });
  });
});
