import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRulesDir, loadRegistry, type Registry, type ScanRun } from '@govscan/core';
import { CENSUS_FILES, censusReporter, TABLE_HEADER } from '@govscan/report-census';
import { noticeReporter } from '@govscan/report-notice';
import { startWorld, type World } from '@govscan/testbed';
import { demoRegistryPath, demoWorld, scanCommand, type PlantedProblem } from 'govscan';
import { checkPreviousRun, diffCommand } from 'govscan/diff';
import { tempDir } from '../helpers/cli.js';

// The demo world with the census plants, scanned by the census scanner, one quarter with the problems,
// the next with them fixed.
let registry: Registry;
let dir: string;
let cleanup: () => Promise<void>;
let planted: PlantedProblem[];
let q1: ScanRun;
let q2: ScanRun;
let rulesDir: string;
const NOW = new Date();

async function quarter(fixed: boolean, out: string): Promise<ScanRun> {
  // the demo world with every plant (naming, TLS, headers, census last); fixed: the next quarter
  const { scenario, planted: all } = demoWorld(registry, NOW, { fixed });
  const census = all.filter((p) => p.ruleId.startsWith('census.'));
  if (!fixed) planted = census;
  else expect(census).toEqual([]);
  const world: World = await startWorld(scenario);
  try {
    const r = await scanCommand(
      {
        registry: demoRegistryPath,
        scanners: ['census'],
        resolver: world.resolver,
        connectTo: world.connectTo,
        caFile: world.caFile,
        out,
        formats: ['json'],
        // every site at once: the census is polite per host (2 at a time, 100 ms apart), so sites in parallel is what makes it quick
        concurrency: 48,
        timeoutMs: 15_000,
        // the whole demo world is on loopback, the sites it links to too
        allowPrivateTargets: true,
        logLevel: 'silent',
        summary: false,
        rulesDir,
      },
      registry,
    );
    return r.run;
  } finally {
    await world.stop();
  }
}

function csvRows(text: string): string[][] {
  expect(text.charCodeAt(0)).toBe(0xfeff);
  return text
    .slice(1)
    .trimEnd()
    .split('\r\n')
    .map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, 5).map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"')));
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  registry = await loadRegistry(demoRegistryPath);
  // the census rules alone: this test judges the census scanner only
  rulesDir = path.join(dir, 'rules');
  await mkdir(rulesDir);
  await copyFile(path.join(defaultRulesDir, 'census.yaml'), path.join(rulesDir, 'census.yaml'));
  q1 = await quarter(false, path.join(dir, 'q1'));
  await censusReporter.write!(q1, path.join(dir, 'q1'));
  await noticeReporter.write!(q1, path.join(dir, 'q1'), { deadline: '15' });
  q2 = await quarter(true, path.join(dir, 'q2'));
  await censusReporter.write!(q2, path.join(dir, 'q2'), { previous: await checkPreviousRun(path.join(dir, 'q1')) });
}, 180_000);

/** The census indicators (rules with a census wording), and how the 汇总表 words each: rule data. */
const censusRule = (f: { ruleId: string }): boolean => !!q1.rules.find((r) => r.id === f.ruleId)?.census;
const phrase = (ruleId: string): string => q1.rules.find((r) => r.id === ruleId)!.census!.phrase;
afterAll(async () => cleanup?.());

describe('census of the demo world', () => {
  it('finds exactly the census problems planted: each planted problem found, nothing else', () => {
    const found = [...new Set(q1.findings.filter(censusRule).map((f) => `${f.site.code} ${f.ruleId}`))].sort();
    expect(found).toEqual([...new Set(planted.map((p) => `${p.code} ${p.ruleId}`))].sort());
    expect(planted.length).toBeGreaterThanOrEqual(20);
    // every seed problem kind is there
    expect(new Set(planted.map((p) => p.ruleId))).toEqual(new Set(['census.slow', 'census.unreachable', 'census.homepage.stale', 'census.column.stale', 'census.content.duplicate', 'census.images.broken', 'census.links.broken', 'census.links.external']));
  });

  it('every check on the healthy sites ran (no error, no unknown)', () => {
    const troubled = new Set(planted.filter((p) => p.ruleId === 'census.unreachable').map((p) => p.code));
    const bad = q1.attempts.filter((a) => a.status !== 'ok' && !troubled.has(a.site.code));
    expect(bad.map((a) => `${a.site.code} ${a.check} ${a.status} ${a.error?.code}`)).toEqual([]);
  });

  it('writes the 汇总表 in the seed shape: 41 rows in registry order, exactly the planted problems', async () => {
    const rows = csvRows(await readFile(path.join(dir, 'q1', CENSUS_FILES.csv), 'utf8'));
    expect(rows[0]).toEqual([...TABLE_HEADER]);
    expect(rows.length).toBe(42);
    rows.slice(1).forEach((row, i) => {
      const site = registry.sites[i]!;
      expect(row.slice(0, 3)).toEqual([String(i + 1), site.name, site.code]);
      const mine = planted.filter((p) => p.code === site.code);
      if (mine.length === 0) expect(row[3]).toBe('无');
      else for (const p of mine) expect(row[3]).toContain(phrase(p.ruleId));
      expect(row[3]!.split('、').length).toBeGreaterThanOrEqual(new Set(mine.map((p) => p.ruleId)).size);
      expect(row[4]).toBe('');
    });
    const files = await readdir(path.join(dir, 'q1'));
    expect(files).toEqual(expect.arrayContaining([CENSUS_FILES.xlsx, CENSUS_FILES.md, CENSUS_FILES.html, 'findings.json', 'notices', 'notices.html']));
    const notices = (await readdir(path.join(dir, 'q1', 'notices'))).filter((f) => f.endsWith('.docx'));
    expect(notices.length).toBe(new Set(planted.map((p) => p.code)).size);
  });

  it('the next quarter, with the problems fixed, marks every one of them 是', async () => {
    expect(q2.findings.filter(censusRule)).toEqual([]);
    const rows = csvRows(await readFile(path.join(dir, 'q2', CENSUS_FILES.csv), 'utf8'));
    rows.slice(1).forEach((row, i) => {
      const site = registry.sites[i]!;
      const mine = planted.filter((p) => p.code === site.code);
      expect(row[4]).toBe(mine.length ? '是' : '');
      if (mine.length) for (const p of mine) expect(row[3]).toContain(phrase(p.ruleId));
    });
    const r = JSON.parse(await readFile(path.join(dir, 'q2', CENSUS_FILES.rectificationJson), 'utf8'));
    expect(r.totals).toMatchObject({ persisting: 0, unverified: 0, new: 0 });
  });

  it('govscan diff OLD NEW gives the same verdicts from the two folders, and the reverse diff marks them 否', async () => {
    const out = path.join(dir, 'diff');
    await mkdir(out);
    const chunks: string[] = [];
    const res = await diffCommand({ oldDir: path.join(dir, 'q1'), newDir: path.join(dir, 'q2'), out, stdout: { write: (s: string) => chunks.push(s) } as unknown as NodeJS.WritableStream });
    expect(res.exitCode).toBe(0);
    expect(res.rectification.sites.filter((s) => s.mark === '是').length).toBe(new Set(planted.map((p) => p.code)).size);
    expect(chunks.join('')).toMatch(/fixed, 0 persisting, 0 could not be verified; 0 new/);
    const back = await diffCommand({ oldDir: path.join(dir, 'q1'), newDir: path.join(dir, 'q1'), out, summary: false }).catch((e: Error) => e);
    expect(back).toBeInstanceOf(Error);
    const reverse = await diffCommand({ oldDir: path.join(dir, 'q2'), newDir: path.join(dir, 'q1'), out, summary: false });
    expect(reverse.rectification.totals.new).toBeGreaterThanOrEqual(planted.length - 1);
  });

  it('refuses a --previous folder that holds no run, before any traffic (exit 2)', async () => {
    await expect(checkPreviousRun(path.join(dir, 'nowhere'))).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^--previous: /) });
    const base = { registry: demoRegistryPath, rulesDir, scanners: ['census'], resolver: '127.0.0.1:9', out: path.join(dir, 'x'), formats: ['json'], concurrency: 4, timeoutMs: 1000, allowPrivateTargets: false, logLevel: 'silent' as const, summary: false };
    await expect(scanCommand({ ...base, previous: path.join(dir, 'nowhere') }, registry)).rejects.toMatchObject({ exitCode: 2, code: 'E_PREVIOUS_RUN' });
    await expect(scanCommand({ ...base, deadline: 'soon' }, registry)).rejects.toMatchObject({ exitCode: 2 });
    await expect(readdir(path.join(dir, 'x'))).rejects.toThrow(/ENOENT/);
  });
});
