import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRegistry } from '@govscan/core';
import { governmentHomepage, startWorld, type World } from '@govscan/testbed';
import { huntCommand, lookalikeWorld, untwistCommand } from 'govscan';
import type { PlantedLookalike } from '../../packages/cli/src/demo/lookalike.js';
import { sink, tempDir } from '../helpers/cli.js';
import { findingsErrors, sarifErrors } from '../helpers/schemas.js';

const registryYaml = `version: 1
title: e2e hunt
sites:
  - { code: "5118000022", name: 雅安市人民政府, unit: 雅安市人民政府办公室, kind: portal, division: "511800", urls: [https://www.yaan.gov.cn/], icp: 蜀ICP备05005390号-1, psb: 川公网安备 51180002000100号 }
  - { code: "5118000025", name: 雅安市教育局, unit: 雅安市教育局, kind: department, division: "511800", urls: [http://jyj.yaan.gov.cn/], icp: 蜀ICP备13290659号, psb: 川公网安备 51180002000184号 }
`;

interface Doc {
  $schema: string;
  schemaVersion: number;
  candidates: { domain: string; ascii: string; state: string | null; classification: string | null; imitates: string | null; findings: string[]; fuzzers: string[]; dns: { wildcard: string | null } | null }[];
  wildcards: { zone: string; names: number }[];
  summary: { candidates: number; byClassification: Record<string, number> };
}


let world: World;
let dir: string;
let cleanup: () => Promise<void>;
let registryFile: string;
let planted: PlantedLookalike[];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  registryFile = path.join(dir, 'registry.yaml');
  await writeFile(registryFile, registryYaml);
  const registry = parseRegistry(registryYaml, registryFile);
  const lw = lookalikeWorld(registry);
  planted = lw.planted;
  const [portal, jyj] = registry.sites;
  const home = (s: typeof portal, host: string) => governmentHomepage({ code: s!.code, name: s!.name, unit: s!.unit, host, icp: s!.icp!, psb: s!.psb! });
  world = await startWorld({
    hosts: [
      { name: 'www.yaan.gov.cn', http: { pages: { '/': { status: 301, redirect: 'https://www.yaan.gov.cn/' } } }, https: { pages: { '/': { body: home(portal, 'www.yaan.gov.cn') } } } },
      { name: 'jyj.yaan.gov.cn', http: { pages: { '/': { body: home(jyj, 'jyj.yaan.gov.cn') } } }, https: null },
      ...lw.hosts,
    ],
  });
});
afterAll(async () => {
  await world?.stop();
  await cleanup?.();
});

const worldOptions = () => ({ resolvers: [world.resolver], connectTo: world.connectTo, caFile: world.caFile, timeoutMs: 5000 });
const readDoc = async (out: string): Promise<Doc> => JSON.parse(await readFile(path.join(out, 'candidates.json'), 'utf8')) as Doc;
const namesOf = (doc: Doc, cls: string): string[] => doc.candidates.filter((c) => c.classification === cls).map((c) => c.ascii).sort();
const plantedAs = (cls: string): string[] => planted.filter((p) => p.classification === cls).map((p) => p.ascii).sort();

describe('govscan hunt against a world with lookalike zones (5% of DNS queries dropped)', () => {
  it('classifies every planted lookalike as planted, and each class appears only on its scenario', async () => {
    const out = path.join(dir, 'hunt');
    const stdout = sink();
    const code = await huntCommand({ registry: registryFile, out, allowPrivateTargets: true, stdout, ...worldOptions() });
    expect(code).toBe(0);
    const doc = await readDoc(out);
    expect(doc).toMatchObject({ $schema: 'https://govscan.dev/schema/lookalike-candidates-v1.json', schemaVersion: 1 }); // validated against the schema in scanners/lookalike
    const findings = JSON.parse(await readFile(path.join(out, 'findings.json'), 'utf8'));
    expect(findingsErrors(findings)).toEqual([]);
    expect(sarifErrors(JSON.parse(await readFile(path.join(out, 'findings.sarif'), 'utf8')))).toEqual([]);

    // the eleven realistic counterfeit names of the issue, one of them a mixed-script homoglyph
    expect(plantedAs('counterfeit')).toHaveLength(11);
    for (const cls of ['counterfeit', 'suspicious', 'parked', 'unrelated', 'collision', 'unknown']) expect(namesOf(doc, cls), cls).toEqual(plantedAs(cls));
    // wildcard: every candidate under the wildcard zone, and nothing else; the zone itself listed once
    const wild = namesOf(doc, 'wildcard');
    expect(wild.length).toBeGreaterThan(2);
    expect(wild.every((n) => n.endsWith('.gov.cn.top'))).toBe(true);
    for (const p of plantedAs('wildcard')) expect(wild).toContain(p);
    expect(doc.wildcards).toEqual([expect.objectContaining({ zone: 'gov.cn.top', names: wild.length })]);

    // findings: one per counterfeit, suspicious, parked and collision candidate, none for the rest
    const byRule = (id: string): string[] => findings.findings.filter((f: { ruleId: string }) => f.ruleId === id).map((f: { target: string }) => f.target).sort();
    expect(byRule('lookalike.counterfeit')).toEqual(plantedAs('counterfeit'));
    expect(byRule('lookalike.suspicious')).toEqual(plantedAs('suspicious'));
    expect(byRule('lookalike.parked')).toEqual(plantedAs('parked'));
    expect(byRule('lookalike.collision')).toEqual(plantedAs('collision'));
    expect(findings.findings).toHaveLength(planted.filter((p) => p.ruleId).length);

    // the department's counterfeit is attributed to the department; the homoglyph is there in Unicode
    const jyj = doc.candidates.find((c) => c.ascii === 'jyj-yaan-gov.cn')!;
    expect(jyj.imitates).toBe('5118000025');
    expect(doc.candidates.find((c) => c.domain === 'yаan-gov.com')).toMatchObject({ ascii: 'xn--yan-gov-2fg.com', classification: 'counterfeit', fuzzers: ['mixed-script'] });
    // with 5% of the queries dropped, no planted name ended as nxdomain
    const state = new Map(doc.candidates.map((c) => [c.ascii, c.state]));
    for (const p of planted) expect(state.get(p.ascii), p.ascii).not.toBe('nxdomain');
    expect(world.dnsQueries.length).toBeGreaterThan(doc.summary.candidates);
    // the SERVFAIL name is reported as unknown, with its attempt
    expect(findings.attempts).toContainEqual(expect.objectContaining({ target: 'yaan-gov.org', check: 'dns:A', status: 'unknown', error: expect.objectContaining({ code: 'ESERVFAIL' }) }));
    // the summary lists the counterfeits and where the files are
    expect(stdout.text()).toContain('counterfeit');
    expect(stdout.text()).toContain(`wrote ${path.join(out, 'candidates.csv')}`);
    const csv = await readFile(path.join(out, 'candidates.csv'), 'utf8');
    expect(csv.split('\r\n')[0]).toBe('\ufeffdomain,ascii,state,classification,score,imitates,sites,fuzzers,suffix,open,a,ns,mx,wildcard,findings,decided_by');
    expect(csv.split('\r\n').length - 2).toBe(doc.summary.candidates);
  });

  it('without --allow-private-targets, loopback lookalikes are not fetched: each refusal is an unknown check, no counterfeit is claimed', async () => {
    const out = path.join(dir, 'policy');
    const code = await huntCommand({ registry: registryFile, out, stdout: sink(), fuzzers: ['gov-joined', 'omission'], ...worldOptions() });
    expect(code).toBe(0);
    const doc = await readDoc(out);
    const findings = JSON.parse(await readFile(path.join(out, 'findings.json'), 'utf8'));
    expect(namesOf(doc, 'counterfeit')).toEqual([]);
    expect(findings.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['lookalike.collision']);
    const refused = findings.attempts.filter((a: { error?: { code: string } }) => a.error?.code === 'EPOLICY');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((a: { status: string }) => a.status === 'unknown')).toBe(true);
    expect(refused.map((a: { target: string }) => a.target)).toContain('https://yaan-gov.cn/');
    expect(doc.candidates.find((c) => c.ascii === 'yaan-gov.cn')?.classification).toBe('unknown');
  });

  it('--generate-only sends nothing and --fail-on turns findings into exit 1', async () => {
    const before = world.dnsQueries.length;
    const out = path.join(dir, 'gen');
    expect(await huntCommand({ registry: registryFile, out, stdout: sink(), generateOnly: true, ...worldOptions() })).toBe(0);
    expect(world.dnsQueries.length).toBe(before);
    const doc = await readDoc(out);
    expect(doc.candidates.every((c) => c.state === null)).toBe(true);
    const code = await huntCommand({ registry: registryFile, out: path.join(dir, 'failon'), stdout: sink(), fuzzers: ['omission'], failOn: 'info', ...worldOptions() });
    expect(code).toBe(1); // the collision yan.gov.cn is an info finding
  });

  it('refuses bad usage before sending anything', async () => {
    const before = world.dnsQueries.length;
    await expect(huntCommand({ registry: registryFile, out: path.join(dir, 'x'), stdout: sink(), fuzzers: ['nope'] })).rejects.toMatchObject({ code: 'E_USAGE', exitCode: 2 });
    await expect(huntCommand({ registry: registryFile, out: path.join(dir, 'x'), stdout: sink(), resolvers: ['dns.example:53'] })).rejects.toMatchObject({ exitCode: 2 });
    expect(world.dnsQueries.length).toBe(before);
  });
});

describe('govscan untwist', () => {
  it('scores observed domains against the registry', async () => {
    const feed = path.join(dir, 'feed.txt');
    await writeFile(feed, ['# from the resolver logs', 'https://login.yaan-gov.cn/portal', 'yaan.gov.cn.com', 'xn--yan-gov-2fg.com', '雅安政府.com', 'yaan-zhengwu.top', 'www.yaan.gov.cn', 'example.org', 'not a domain'].join('\n'));
    const stdout = sink();
    const code = await untwistCommand({ registry: registryFile, input: feed, format: 'json', stdout });
    expect(code).toBe(0);
    const { results } = JSON.parse(stdout.text()) as { results: { input: string; via: string | null; score: number; site: { code: string } | null; matched: string | null }[] };
    const by = new Map(results.map((r) => [r.input, r]));
    expect(by.get('https://login.yaan-gov.cn/portal')).toMatchObject({ via: 'generated', score: 100, matched: 'yaan-gov.cn', site: { code: '5118000022' } });
    expect(by.get('yaan.gov.cn.com')).toMatchObject({ via: 'generated', score: 100 });
    expect(by.get('xn--yan-gov-2fg.com')).toMatchObject({ via: 'generated', score: 100 });
    expect(by.get('雅安政府.com')).toMatchObject({ via: 'generated' });
    expect(by.get('yaan-zhengwu.top')).toMatchObject({ via: 'similar', site: { code: '5118000022' } });
    expect(by.get('yaan-zhengwu.top')!.score).toBeGreaterThanOrEqual(50);
    expect(by.get('www.yaan.gov.cn')).toMatchObject({ via: 'registered', score: 0 });
    expect(by.get('example.org')!.score).toBeLessThan(50);
    expect(by.get('not')).toMatchObject({ score: 0, via: null });
    expect(results[0]!.score).toBe(100);
    const strict = await untwistCommand({ registry: registryFile, input: feed, failOnMatch: true, stdout: sink() });
    expect(strict).toBe(1);
  });
  it('writes feed lines that look like formulas as text in its CSV', async () => {
    const feed = path.join(dir, 'formulas.txt');
    await writeFile(feed, ['=1+2', '@SUM(A1)', '+1+2', '-2+3+A1'].join('\n'));
    const stdout = sink();
    expect(await untwistCommand({ registry: registryFile, input: feed, format: 'csv', stdout })).toBe(0);
    const cells = stdout.text().trimEnd().split('\r\n').slice(1).map((line) => line.split(',')[0]);
    expect(cells.sort()).toEqual(["'+1+2", "'-2+3+A1", "'=1+2", "'@SUM(A1)"]);
  });
});
