import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRulesDir, judge, parseRegistry, parseRuleFile, type InputProblem, type Observation, type Rule } from '@govscan/core';
import { createNetClient, MuxResolver } from '@govscan/net';
import { governmentHomepage, startWorld, type HostSpec, type VhostSpec, type World } from '@govscan/testbed';
import { hunt, type HuntResult } from './hunt.js';
import { lookalike } from './index.js';
import { candidatesCsv, candidatesDocument, candidatesSchemaPath } from './report.js';
import { untwister } from './untwist.js';

const registryYaml = `version: 1
sites:
  - { code: "5118000022", name: 雅安市人民政府, unit: 雅安市人民政府办公室, kind: portal, division: "511800", urls: [https://www.yaan.gov.cn/], icp: 蜀ICP备05005390号-1, psb: 川公网安备 51180002000100号 }
`;
const registry = parseRegistry(registryYaml, 'registry.yaml');
const portal = registry.sites[0]!;

function loadLookalikeRules(): Rule[] {
  const file = `${defaultRulesDir}lookalike.yaml`;
  const problems: InputProblem[] = [];
  const rules = parseRuleFile(readFileSync(file, 'utf8'), file, problems, { scanners: { lookalike } });
  expect(problems).toEqual([]);
  return rules;
}

const page = (title: string, body: string): VhostSpec => ({ pages: { '/': { body: `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>` } } });
const clone = (host: string, charset?: string): VhostSpec => ({
  pages: {
    '/': { body: governmentHomepage({ code: portal.code, name: portal.name, unit: portal.unit, host, icp: portal.icp!, psb: portal.psb! }), ...(charset ? { charset } : {}) },
    '/favicon.ico': { body: new Uint8Array([0, 0, 1, 0, 1, 0, 16, 16]), contentType: 'image/x-icon' },
  },
});
const drop = { drop: 0.05 };

/** Each scenario, and what it must be classified as. */
const SCENARIOS: { host: HostSpec; expect: string }[] = [
  { host: { name: 'yaan-gov.cn', dns: drop, http: clone('yaan-gov.cn'), https: clone('yaan-gov.cn') }, expect: 'counterfeit' },
  { host: { name: 'yaan.gov.cn.cc', dns: drop, http: clone('yaan.gov.cn.cc', 'gbk'), https: null }, expect: 'counterfeit' },
  { host: { name: 'yaszf.com', dns: drop, https: page('雅安市人民政府 统一身份认证', '<p>雅安市人民政府</p><form><input name="u"><input type="password" name="p"></form>') }, expect: 'suspicious' },
  // the genuine favicon on an otherwise unrelated page
  {
    host: { name: 'yaan.top', dns: drop, https: null, http: { pages: { '/': page('网站首页', '<p>欢迎</p>').pages!['/']!, '/favicon.ico': { body: new Uint8Array([0, 0, 1, 0, 1, 0, 16, 16]), contentType: 'image/x-icon' } } } },
    expect: 'suspicious',
  },
  { host: { name: 'yaanzhengfu.com', dns: drop, http: page('域名出售', '<h1>此域名正在出售</h1>'), https: null }, expect: 'parked' },
  { host: { name: 'yaan-gov.vip', dns: { ...drop, a: ['127.0.0.1'], ns: ['ns1.sedoparking.com'] }, http: page('Welcome', '<p>Welcome</p>'), https: null }, expect: 'parked' },
  { host: { name: 'yaan.com', dns: drop, http: page('藏茶商城', '<p>藏茶，产地直销</p>') }, expect: 'unrelated' },
  // a defensive registration: it sends visitors to the genuine site
  { host: { name: 'yaan-gov.net', dns: drop, http: { pages: { '/': { status: 301, redirect: 'https://www.yaan.gov.cn/' } } }, https: { pages: { '/': { status: 301, redirect: 'https://www.yaan.gov.cn/' } } } }, expect: 'unrelated' },
  { host: { name: 'yan.gov.cn', dns: drop }, expect: 'collision' },
  { host: { name: 'yaan-gov.org', dns: { rcode: 'SERVFAIL' } }, expect: 'unknown' },
  { host: { name: 'yaan-gov.xyz', dns: drop, http: null, https: null }, expect: 'unknown' },
];

let world: World;
let result: HuntResult;
let rules: Rule[];

async function runHunt(allowPrivateTargets: boolean, fuzzers?: Parameters<typeof hunt>[0]['fuzzers']): Promise<HuntResult> {
  const net = createNetClient({ resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile, registeredHosts: ['www.yaan.gov.cn'], allowPrivateTargets, timeoutMs: 4000 });
  const dns = new MuxResolver({ servers: [world.resolver], firstTryMs: 150 });
  try {
    return await hunt({ registry, dns, net, rules, timeoutMs: 4000, dnsTimeoutMs: 3000, ...(fuzzers ? { fuzzers } : {}) });
  } finally {
    dns.close();
    await net.close();
  }
}

beforeAll(async () => {
  rules = loadLookalikeRules();
  world = await startWorld({
    hosts: [
      {
        name: 'www.yaan.gov.cn',
        https: { pages: { '/': { body: governmentHomepage({ code: portal.code, name: portal.name, unit: portal.unit, host: 'www.yaan.gov.cn', icp: portal.icp!, psb: portal.psb! }) }, '/favicon.ico': { body: new Uint8Array([0, 0, 1, 0, 1, 0, 16, 16]), contentType: 'image/x-icon' } } },
      },
      ...SCENARIOS.map((s) => s.host),
      { name: '*.gov.cn.top', dns: drop, http: page('建设中', '<p>建设中</p>') },
      ...['cn', 'com', 'net', 'org', 'cc', 'top', 'vip', 'xyz', 'info', 'co', 'io', 'me', 'biz', 'site', 'online', 'ltd', 'hk', 'xn--fiqs8s', 'xn--zfr164b', 'xn--55qw42g', 'xn--55qx5d', 'xn--io0a7i'].map((t) => ({ name: `*.${t}`, dns: { rcode: 'NXDOMAIN' as const, drop: 0.05 } })),
    ],
  });
  result = await runHunt(true);
});
afterAll(async () => world?.stop());

describe('hunt: classification and findings, each on its scenario only (5% of DNS queries dropped)', () => {
  it('classifies every scenario as planted, and nothing else as counterfeit, suspicious, parked, collision or unknown', () => {
    const got = (cls: string): string[] => result.candidates.filter((c) => c.classification === cls).map((c) => c.ascii).sort();
    for (const cls of ['counterfeit', 'suspicious', 'parked', 'unrelated', 'collision', 'unknown']) {
      expect(got(cls), cls).toEqual(SCENARIOS.filter((s) => s.expect === cls).map((s) => s.host.name).sort());
    }
    expect(got('wildcard').length).toBeGreaterThan(2);
    expect(got('wildcard').every((n) => n.endsWith('.gov.cn.top'))).toBe(true);
    expect(result.wildcards.map((w) => w.zone)).toEqual(['gov.cn.top']);
    // every other name is nxdomain: a dropped query never made one exist, nor a planted one vanish
    const live = new Set([...SCENARIOS.map((s) => s.host.name), ...got('wildcard')]);
    expect(result.candidates.filter((c) => !live.has(c.ascii)).every((c) => c.state === 'nxdomain')).toBe(true);
    for (const s of SCENARIOS) expect(result.candidates.find((c) => c.ascii === s.host.name)?.state, s.host.name).not.toBe('nxdomain');
  });

  it('raises one finding per counterfeit, suspicious, parked and collision candidate, from rules/lookalike.yaml', () => {
    const byRule = (id: string): string[] => result.findings.filter((f) => f.ruleId === id).map((f) => f.target).sort();
    expect(byRule('lookalike.counterfeit')).toEqual(['yaan-gov.cn', 'yaan.gov.cn.cc']);
    expect(byRule('lookalike.suspicious')).toEqual(['yaan.top', 'yaszf.com']);
    expect(byRule('lookalike.parked')).toEqual(['yaan-gov.vip', 'yaanzhengfu.com']);
    expect(byRule('lookalike.collision')).toEqual(['yan.gov.cn']);
    expect(result.findings).toHaveLength(7);
    const f = result.findings.find((x) => x.target === 'yaan-gov.cn')!;
    expect(f).toMatchObject({ severity: 'critical', site: { code: '5118000022' }, scanner: 'lookalike' });
    expect(f.evidence.join('\n')).toMatch(/copied: \["siteCode","icp","psb","conac","siteName","sponsor"\]/);
  });

  it('records the deciding signals, the score, the certificate and the page facts', () => {
    const c = result.candidates.find((x) => x.ascii === 'yaan-gov.cn')!;
    expect(c).toMatchObject({ score: 100, imitates: '5118000022', findings: ['lookalike.counterfeit'] });
    expect(c.decidedBy).toEqual(expect.arrayContaining(['copies siteCode 5118000022', 'copies icp 蜀ICP备05005390号-1', 'same favicon']));
    const obs = result.observations.find((o) => o.target === 'yaan-gov.cn')!;
    expect(obs.facts).toMatchObject({ loaded: true, scheme: 'https', textSimilarity: 1, faviconSame: true, certificate: { subject: 'yaan-gov.cn', coversHost: true, authorized: true } });
    const gbk = result.observations.find((o) => o.target === 'yaan.gov.cn.cc')!;
    expect(gbk.facts).toMatchObject({ charset: 'gbk', scheme: 'http', copied: expect.arrayContaining(['sponsor', 'icp']) });
    expect(result.candidates.find((x) => x.ascii === 'yaan-gov.net')!.decidedBy).toContain('redirects to the registered www.yaan.gov.cn');
    expect(result.candidates.find((x) => x.ascii === 'yaan-gov.vip')!.decidedBy).toContain('parked: ns:ns1.sedoparking.com');
    expect(result.attempts).toContainEqual(expect.objectContaining({ target: 'yaan-gov.org', check: 'dns:A', status: 'unknown' }));
    expect(result.attempts).toContainEqual(expect.objectContaining({ target: 'http://yaan-gov.xyz/', check: 'http:GET', status: 'error' }));
  });

  it('without --allow-private-targets records each refused fetch as an unknown attempt and claims nothing it has not seen', async () => {
    const r = await runHunt(false, ['gov-joined', 'omission']);
    // the collision needs no fetch, and a parking service's name servers are a DNS fact
    expect(r.findings.map((f) => `${f.ruleId} ${f.target}`).sort()).toEqual(['lookalike.collision yan.gov.cn', 'lookalike.parked yaan-gov.vip']);
    const yg = r.candidates.find((c) => c.ascii === 'yaan-gov.cn')!;
    expect(yg.classification).toBe('unknown');
    expect(r.attempts.filter((a) => a.target === 'https://yaan-gov.cn/')).toEqual([expect.objectContaining({ status: 'unknown', error: expect.objectContaining({ code: 'EPOLICY' }) })]);
  });

  it('writes candidates.json that its schema accepts, and a CSV row per candidate', () => {
    const doc = candidatesDocument({ tool: { name: 'govscan', version: 'test' }, registry, sites: registry.sites, options: { fuzzers: null }, result });
    const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
    addFormatsModule.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(candidatesSchemaPath, 'utf8')));
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(validate({ ...doc, schemaVersion: 2 })).toBe(false);
    const rows = candidatesCsv(result.candidates).split('\r\n');
    expect(rows).toHaveLength(result.candidates.length + 2);
    expect(rows[1]).toMatch(/^yaan-gov\.cn,yaan-gov\.cn,exists,counterfeit,100,5118000022,/);
 
    // a name server answer that a spreadsheet would run as a formula is written as text
    const hostile = { ...result.candidates[0]!, dns: { ...result.candidates[0]!.dns!, ns: ['=HYPERLINK("http://x","y")'] } };
    expect(candidatesCsv([hostile]).split('\r\n')[1]).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
  });
});

describe('rules/lookalike.yaml', () => {
  const base = { open: true, closed: false, wildcard: false, loaded: true, redirectsToRegistered: false, dnsState: 'exists', copied: [], textSimilarity: 0, titleSimilarity: 0, faviconSame: false, mentionsSiteName: false, loginForm: false, paymentForm: false, parkedMarkers: [] };
  const judgeFacts = (facts: Record<string, unknown>): string[] => {
    const obs: Observation = { scanner: 'lookalike', kind: 'lookalike.candidate', site: { code: '5118000022', name: 'x' }, target: 't', locator: 'lookalike', facts: { ...base, ...facts } as Observation['facts'], observedAt: '' };
    return judge(rules, [obs]).map((f) => f.ruleId);
  };

  it('names the lookalike scanner and its observation kinds', () => {
    expect(rules.map((r) => r.id)).toEqual(['lookalike.counterfeit', 'lookalike.suspicious', 'lookalike.parked', 'lookalike.collision']);
  });

  it('gives each set of facts at most one finding, and none to what could not be established', () => {
    expect(judgeFacts({ textSimilarity: 0.9 })).toEqual(['lookalike.counterfeit']);
    expect(judgeFacts({ copied: ['siteName', 'sponsor'] })).toEqual(['lookalike.counterfeit']);
    expect(judgeFacts({ copied: ['siteName'], loginForm: true, parkedMarkers: ['for sale'] })).toEqual(['lookalike.suspicious']);
    expect(judgeFacts({ paymentForm: true })).toEqual(['lookalike.suspicious']);
    expect(judgeFacts({ parkedMarkers: ['域名出售'] })).toEqual(['lookalike.parked']);
    expect(judgeFacts({ copied: ['siteCode'], redirectsToRegistered: true })).toEqual([]);
    expect(judgeFacts({ copied: ['siteCode'], wildcard: true })).toEqual([]);
    expect(judgeFacts({ loaded: null, copied: null, textSimilarity: null, titleSimilarity: null, faviconSame: null, mentionsSiteName: null, loginForm: null, paymentForm: null, redirectsToRegistered: null })).toEqual([]);
    expect(judgeFacts({ open: false, closed: true, loaded: null })).toEqual(['lookalike.collision']);
    expect(judgeFacts({ open: false, closed: true, wildcard: true })).toEqual([]);
  });
});

describe('untwist', () => {
  it('matches observed names to the site they imitate', () => {
    const u = untwister(registry);
    expect(u.untwist('jyj.yaan-gov.cn')).toMatchObject({ via: 'generated', matched: 'yaan-gov.cn', score: 100, site: { code: '5118000022' } });
    expect(u.untwist('xn--yan-gov-2fg.com')).toMatchObject({ via: 'generated', domain: 'yаan-gov.com' });
    expect(u.untwist('yaan-zhengwu.top')).toMatchObject({ via: 'similar', site: { code: '5118000022' } });
    expect(u.untwist('雅安市政务服务.top').similarity).toBeGreaterThan(0.4);
    expect(u.untwist('www.yaan.gov.cn')).toMatchObject({ via: 'registered', score: 0 });
    expect(u.untwist('###')).toMatchObject({ domain: null, score: 0 });
  });
});
