import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRulesDir, parseRegistry, severityRank, type ScanRun } from '@govscan/core';
import { renderHtmlReport } from '@govscan/report-html';
import { startWorld, governmentHomepage, type World } from '@govscan/testbed';
import { scanCommand } from 'govscan';
import { tempDir } from '../helpers/cli.js';

// A world with a site whose pages carry markup meant to run in whoever reads the report:
// list titles, link texts and a column name that are scripts and event handlers.
const HOSTILE = {
  img: '<img src=x onerror="window.__pwned=1">',
  script: '<script>window.__pwned=2</script>',
  svg: '"><svg onload="window.__pwned=3">',
  close: '</script><script>window.__pwned=4</script>',
};
const NOW = new Date();
const day = (n: number): string => new Date(NOW.getTime() + 8 * 3600_000 - n * 86_400_000).toISOString().slice(0, 10);
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const registryYaml = `version: 1
title: 报告测试名录
sites:
  - { code: "5118000022", name: 雅安市人民政府, unit: 雅安市人民政府办公室, kind: portal, division: "511800", urls: [http://www.yaan.gov.cn/] }
  - { code: "5118000031", name: "雅安市档案局<script>window.__pwned=5</script>", unit: 档案局, kind: department, division: "511800", urls: [http://daj.yaan.gov.cn/] }
  - { code: "5118000014", name: 雅安市安全生产信息网, unit: 安监局, kind: department, division: "511800", urls: [http://ajj.yaan.gov.cn/] }
`;

function hostilePages(): Record<string, { body: string; status?: number }> {
  const items = [
    { title: HOSTILE.img, href: '/art/1.html', date: day(1) },
    { title: HOSTILE.img, href: '/art/2.html', date: day(2) },
    { title: HOSTILE.script, href: '/art/3.html', date: '' },
  ];
  const home = governmentHomepage({ code: '5118000031', name: '雅安市档案局', unit: '档案局', host: 'daj.yaan.gov.cn' }, { date: NOW, columns: [{ href: '/col/ywdt/', title: '要闻动态' }], items, extraHtml: `<div class="main2"><a href="/gone.html">${esc(HOSTILE.svg)}</a></div>` });
  const col = `<html><head><meta name="ColumnName" content="${esc(HOSTILE.close)}"><meta name="ColumnType" content="要闻动态"></head><body><ul><li><a href="/art/1.html">一条很久以前的信息的标题</a><span>${day(60)}</span></li></ul></body></html>`;
  const art = '<html><body><div class="article"><p>正文内容正文内容正文内容正文内容正文内容正文内容正文内容正文内容正文内容正文内容</p></div></body></html>';
  return { '/': { body: home }, '/col/ywdt/': { body: col }, '/art/1.html': { body: art }, '/art/2.html': { body: `${art}2` }, '/art/3.html': { body: `${art}3` } };
}

let world: World;
let dir: string;
let cleanup: () => Promise<void>;
let run: ScanRun;
let reportUrl: string;
let userDataDir: string;
let context: BrowserContext;
let page: Page;
const requests: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  const registryFile = path.join(dir, 'registry.yaml');
  await writeFile(registryFile, registryYaml);
  const registry = parseRegistry(registryYaml, registryFile);
  await mkdir(path.join(dir, 'rules'));
  await copyFile(path.join(defaultRulesDir, 'census.yaml'), path.join(dir, 'rules', 'census.yaml'));
  world = await startWorld({
    hosts: [
      { name: 'www.yaan.gov.cn', http: { pages: { '/': { body: '<!DOCTYPE html><html><head><meta charset="utf-8"><title>雅安市人民政府</title></head><body><p>欢迎访问</p></body></html>' } } }, https: null },
      { name: 'daj.yaan.gov.cn', http: { pages: hostilePages() }, https: null },
      { name: 'ajj.yaan.gov.cn', http: { behaviour: { reset: true } }, https: null },
    ],
  });
  const r = await scanCommand(
    { registry: registryFile, scanners: ['census'], resolver: world.resolver, connectTo: world.connectTo, out: path.join(dir, 'out'), formats: ['json'], concurrency: 4, timeoutMs: 3000, allowPrivateTargets: false, logLevel: 'silent', summary: false, rulesDir: path.join(dir, 'rules') },
    registry,
  );
  run = r.run;
  const file = path.join(dir, 'report.html');
  await writeFile(file, renderHtmlReport(run));
  reportUrl = pathToFileURL(file).href;

  userDataDir = await mkdtemp(path.join(os.tmpdir(), 'govscan-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    offline: true,
    timeout: 30_000,
  });
  // Nothing leaves the page: every request but the report itself is refused.
  await context.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.request().url() === reportUrl ? route.continue() : route.abort();
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  await page.goto(reportUrl, { waitUntil: 'load', timeout: 30_000 });
}, 90_000);

afterAll(async () => {
  await context?.close();
  await world?.stop();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  await cleanup?.();
});

const visibleFindings = (): Promise<number> => page.locator('#details .detail-finding:visible').count();

describe('report.html in headless Chromium', () => {
  it('the scan found the planted problems, hostile text in their evidence', () => {
    const rules = run.findings.map((f) => f.ruleId);
    expect(rules).toEqual(expect.arrayContaining(['census.content.duplicate', 'census.item.undated', 'census.links.broken', 'census.column.stale', 'census.unreachable']));
    expect(run.findings.flatMap((f) => f.evidence).join('\n')).toContain(HOSTILE.img);
  });

  it('renders: title, overview counts, the chart, a row per site, the details', async () => {
    expect(await page.title()).toBe('报告测试名录 检查报告');
    expect(await page.locator('#count-findings').textContent()).toBe(String(run.findings.length));
    expect(await page.locator('#count-sites').textContent()).toBe('3');
    expect(await page.locator('#chart rect').count()).toBe(new Set(run.findings.map((f) => f.ruleId)).size);
    expect(await page.locator('#sites tbody tr').count()).toBe(3);
    expect(await page.locator('#sites tr[data-site="5118000014"] .state').textContent()).toBe('有问题');
    // the unreachable site: its content could not be read, and the row says so
    expect(await page.locator('#sites tr[data-site="5118000014"] .problems-text').textContent()).toMatch(/^网站无法访问；另有 \d+ 项未能检查：首页无法访问（连接被重置）/);
    expect(await visibleFindings()).toBe(run.findings.length);
    // the report's own script ran (the page marks itself ready), under its Content-Security-Policy
    expect(await page.evaluate('document.documentElement.dataset.ready')).toBe('1');
  });

  it('shows scanned markup as text and runs none of it', async () => {
    const text = (await page.locator('#details').textContent()) ?? '';
    expect(text).toContain(HOSTILE.img);
    expect(text).toContain(HOSTILE.script);
    expect(await page.locator('#sites').textContent()).toContain('雅安市档案局<script>window.__pwned=5</script>');
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await page.locator('#details img, #details svg, #sites img, #sites script, #details script').count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  });

  it('filters by severity and by scanner', async () => {
    const medium = run.findings.filter((f) => f.severity === 'medium').length;
    expect(medium).toBeGreaterThan(0);
    await page.locator('#f-severity-medium').uncheck();
    expect(await visibleFindings()).toBe(run.findings.length - medium);
    expect(await page.locator('#shown').textContent()).toBe(String(run.findings.length - medium));
    await page.locator('#f-severity-medium').check();
    expect(await visibleFindings()).toBe(run.findings.length);
    await page.locator('#only-problems').check();
    const high = run.findings.filter((f) => severityRank(f.severity) >= severityRank('high'));
    for (const s of ['critical', 'high']) await page.locator(`#f-severity-${s}`).uncheck();
    // the unreachable site has only a high finding: with high filtered out, its row goes
    expect(high.some((f) => f.site.code === '5118000014')).toBe(true);
    expect(await page.locator('#sites tr[data-site="5118000014"]').isHidden()).toBe(true);
    await page.locator('#f-scanner-census').uncheck();
    expect(await visibleFindings()).toBe(0);
    expect(await page.locator('#shown').textContent()).toBe('0');
  });

  it('made no request but for the file itself', () => {
    expect(requests.filter((u) => u !== reportUrl)).toEqual([]);
  });
});
