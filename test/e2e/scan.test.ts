import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '@govscan/testbed';
import { runCli, tempDir } from '../helpers/cli.js';
import { findingsErrors, sarifErrors } from '../helpers/schemas.js';

const registry = `version: 1
title: e2e
sites:
  - { code: "5118000022", name: 雅安市人民政府, unit: 办公室, kind: portal, division: "511800", urls: [https://www.yaan.gov.cn/] }
  - { code: "5118020001", name: 雨城区人民政府, unit: 办公室, kind: county-portal, division: "511802", urls: [https://www.yucheng.gov.cn/] }
  - { code: "5118000014", name: 雅安市安全生产信息网, unit: 安监局, kind: department, division: "511800", urls: [http://ajj.yaan.gov.cn/] }
  - { code: "5118000021", name: 雅安市防震减灾网, unit: 防震减灾局, kind: department, division: "511800", urls: [http://fzjz.yaan.gov.cn/] }
  - { code: "5118000031", name: 雅安市档案局, unit: 档案局, kind: department, division: "511800", urls: [http://daj.yaan.gov.cn/] }
  - { code: "5118000032", name: 雅安市扶贫和移民工作局, unit: 扶贫局, kind: department, division: "511800", urls: [http://fpymj.yaan.gov.cn/] }
`;

let world: World;
let dir: string;
let cleanup: () => Promise<void>;
let registryFile: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  registryFile = path.join(dir, 'registry.yaml');
  await (await import('node:fs/promises')).writeFile(registryFile, registry);
  world = await startWorld({
    hosts: [
      { name: 'www.yaan.gov.cn', http: { pages: { '/': { status: 301, redirect: 'https://www.yaan.gov.cn/' } } } },
      { name: 'www.yucheng.gov.cn', https: { pages: { '/': { status: 502 } } } },
      { name: 'ajj.yaan.gov.cn', http: { behaviour: { hang: true } }, https: { behaviour: { hang: true } } },
      { name: 'fzjz.yaan.gov.cn', dns: { rcode: 'SERVFAIL' } },
      { name: 'daj.yaan.gov.cn', http: { behaviour: { reset: true } }, https: null },
      // fpymj.yaan.gov.cn: not in the world at all (NXDOMAIN)
    ],
  });
});
afterAll(async () => {
  await world?.stop();
  await cleanup?.();
});

function worldArgs(out: string): string[] {
  return ['--resolver', world.resolver, ...world.connectTo.flatMap((c) => ['--connect-to', c]), '--ca-file', world.caFile, '--out', out];
}

describe('govscan scan against the simulated world', () => {
  it('writes valid findings.json and findings.sarif, with findings and failed attempts side by side', async () => {
    const out = path.join(dir, 'run1');
    const r = await runCli(['scan', '--registry', registryFile, ...worldArgs(out), '--scanners', 'reachability,census', '--timeout', '1500']);
    expect(r.stderr).toBe('');
    // sites that could not be checked through: the run is incomplete (exit 4), and says so
    expect(r.code).toBe(4);
    // a server that accepts and never answers costs about the timeout, not more
    expect(r.ms).toBeLessThan(1500 * 3 + 2000);
    const doc = JSON.parse(await readFile(path.join(out, 'findings.json'), 'utf8'));
    expect(findingsErrors(doc)).toEqual([]);
    expect(sarifErrors(JSON.parse(await readFile(path.join(out, 'findings.sarif'), 'utf8')))).toEqual([]);

    const byRule = doc.findings.map((f: { site: { code: string }; ruleId: string }) => `${f.site.code} ${f.ruleId}`).sort();
    expect(byRule).toEqual(['5118000014 census.unreachable', '5118000031 census.unreachable', '5118000032 census.unreachable', '5118020001 census.unreachable']);

    const attempt = (code: string, check: string) => doc.attempts.find((a: { site: { code: string }; check: string }) => a.site.code === code && a.check === check);
    expect(attempt('5118000014', 'http:GET')).toMatchObject({ status: 'error', error: { code: 'ETIMEDOUT' } });
    expect(attempt('5118000031', 'http:GET')).toMatchObject({ status: 'error', error: { code: expect.stringMatching(/ECONNRESET|EPIPE/) } });
    expect(attempt('5118000032', 'http:GET')).toMatchObject({ status: 'error', error: { code: 'ENOTFOUND' } });
    // SERVFAIL: unknown, reported, and never a finding nor a pass
    expect(attempt('5118000021', 'dns:A')).toMatchObject({ status: 'unknown', error: { code: 'ESERVFAIL' } });
    expect(attempt('5118000021', 'http:GET')).toMatchObject({ status: 'unknown', error: { code: 'EDNSUNKNOWN' } });
    expect(doc.sites.find((s: { code: string }) => s.code === '5118000021').attempts.unknown).toBeGreaterThan(0);
    expect(doc.summary.attempts.unknown).toBeGreaterThan(0);
    expect(doc.summary).toMatchObject({ incomplete: true, sitesUnchecked: 1 });
    expect(doc.sites.find((s: { code: string }) => s.code === '5118000021')).toMatchObject({ state: 'unchecked', problems: '未能检查：首页无法访问（DNS 无法解析）' });
    // its homepage lists no dated item: whether it is kept up to date cannot be established, so it is not 无 either
    expect(doc.sites.find((s: { code: string }) => s.code === '5118000022')).toMatchObject({ state: 'partial', undetermined: [{ ruleId: 'census.homepage.stale', reason: { code: 'E_FACT_UNKNOWN' } }] });
    // the healthy portal: all ok
    expect(doc.sites.find((s: { code: string }) => s.code === '5118000022')).toMatchObject({ findings: 0, attempts: { error: 0, unknown: 0 } });
    // the summary on stdout lists every site and where the files are
    expect(r.stdout).toContain('雅安市防震减灾网');
    expect(r.stdout).toContain(`wrote ${path.join(out, 'findings.sarif')}`);
  });

  it('gives the same finding ids on a second run (stable fingerprints)', async () => {
    const a = path.join(dir, 'fp-a');
    const b = path.join(dir, 'fp-b');
    await runCli(['scan', '--registry', registryFile, ...worldArgs(a), '--timeout', '800', '--quiet']);
    await runCli(['scan', '--registry', registryFile, ...worldArgs(b), '--timeout', '800', '--quiet']);
    // (every scanner ran: the ids of all their findings agree)
    const ids = async (d: string) => (JSON.parse(await readFile(path.join(d, 'findings.json'), 'utf8')).findings as { id: string }[]).map((f) => f.id).sort();
    expect(await ids(a)).toEqual(await ids(b));
    expect((await ids(a)).length).toBeGreaterThan(0);
  });

  it('exits 1 when a finding reaches --fail-on, 4 when none does but a site was not checked through, 0 otherwise', async () => {
    const base = ['scan', '--registry', registryFile, '--scanners', 'reachability,census', '--quiet'];
    expect((await runCli([...base, '--sites', '5118020001', ...worldArgs(path.join(dir, 'f1')), '--fail-on', 'high'])).code).toBe(1);
    // 雨城区 answers 502: unreachable (high), and its content could not be read, so the run is incomplete
    expect((await runCli([...base, '--sites', '5118020001', ...worldArgs(path.join(dir, 'f2')), '--fail-on', 'critical'])).code).toBe(4);
    // reachability alone has no rule to leave undecided
    expect((await runCli(['scan', '--registry', registryFile, '--scanners', 'reachability', '--quiet', '--sites', '5118000022', ...worldArgs(path.join(dir, 'f3')), '--fail-on', 'critical'])).code).toBe(0);
  });

  it('runs only the scanners and formats asked for', async () => {
    const out = path.join(dir, 'only-json');
    const r = await runCli(['scan', '--registry', registryFile, ...worldArgs(out), '--sites', '5118000022', '--scanners', 'reachability', '--format', 'json', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    await expect(readFile(path.join(out, 'findings.sarif'))).rejects.toThrow(/ENOENT/);
    expect(JSON.parse(await readFile(path.join(out, 'findings.json'), 'utf8')).scanners).toEqual(['reachability']);
  });

  it('refuses an output folder it cannot write before sending any traffic', async () => {
    const before = world.dnsQueries.length;
    const r = await runCli(['scan', '--registry', registryFile, ...worldArgs(path.join(registryFile, 'sub'))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out: cannot write/);
    // a path where node's own recursive mkdir would never return
    const p = await runCli(['scan', '--registry', registryFile, ...worldArgs('/proc/govscan-e2e/out')]);
    expect(p.code).toBe(2);
    expect(world.dnsQueries.length).toBe(before);
  });
});
