import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge, parseRegistry, silentLogger, type Registry, type Rule, type ScanContext } from '@govscan/core';
import { createNetClient } from '@govscan/net';
import { startWorld, type World } from '@govscan/testbed';
import { reachability } from './index.js';

const registryYaml = `version: 1
sites:
  - { code: "5118000022", name: 雅安市人民政府, unit: 办公室, kind: portal, division: "511800", urls: [https://www.yaan.gov.cn/] }
  - { code: "5118260001", name: 芦山县人民政府, unit: 办公室, kind: county-portal, division: "511826", urls: [http://www.lushan.gov.cn/] }
  - { code: "5118000014", name: 雅安市安全生产信息网, unit: 安监局, kind: department, division: "511800", urls: [http://ajj.yaan.gov.cn/] }
  - { code: "5118000021", name: 雅安市防震减灾网, unit: 防震减灾局, kind: department, division: "511800", urls: [http://fzjz.yaan.gov.cn/] }
  - { code: "5118000031", name: 雅安市档案局, unit: 档案局, kind: department, division: "511800", urls: [http://daj.yaan.gov.cn/] }
`;

let world: World;
let registry: Registry;
beforeAll(async () => {
  registry = parseRegistry(registryYaml, 'registry.yaml');
  world = await startWorld({
    hosts: [
      { name: 'www.yaan.gov.cn', http: { pages: { '/': { status: 301, redirect: 'https://www.yaan.gov.cn/' } } } },
      { name: 'www.lushan.gov.cn', http: { behaviour: { delayMs: 400 } }, https: null },
      { name: 'ajj.yaan.gov.cn', http: { behaviour: { hang: true } }, https: null },
      { name: 'fzjz.yaan.gov.cn', dns: { rcode: 'SERVFAIL' } },
      { name: 'daj.yaan.gov.cn', http: { pages: { '/': { status: 503 } } }, https: null },
    ],
  });
});
afterAll(async () => world?.stop());

async function scan(code: string, timeoutMs = 2000) {
  const net = createNetClient({ resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile, registeredHosts: registry.sites.flatMap((s) => s.urls.map((u) => new URL(u).hostname)), timeoutMs });
  const ctx: ScanContext = { net, registry, timeoutMs, signal: new AbortController().signal, log: silentLogger, now: () => new Date() };
  return reachability.scan(registry.sites.find((s) => s.code === code)!, ctx);
}

describe('reachability', () => {
  it('observes DNS, both schemes and the homepage of a healthy site, all attempts ok', async () => {
    const out = await scan('5118000022');
    expect(out.attempts.map((a) => [a.check, a.status]).sort()).toEqual([['dns:A', 'ok'], ['dns:AAAA', 'ok'], ['http:GET', 'ok'], ['https:GET', 'ok']]);
    const home = out.observations.find((o) => o.kind === 'reachability.homepage')!;
    expect(home.facts).toMatchObject({ loaded: true, status: 200, url: 'https://www.yaan.gov.cn/', tlsAuthorized: true });
    const http = out.observations.find((o) => o.kind === 'reachability.fetch' && o.locator === 'http')!;
    expect(http.facts).toMatchObject({ redirects: 1, finalUrl: 'https://www.yaan.gov.cn/' });
    const dns = out.observations.find((o) => o.kind === 'reachability.dns')!;
    expect(dns.facts).toMatchObject({ a: ['127.0.0.1'], aStatus: 'ok' });
  });

  it('records a hanging server as an error attempt within the timeout, and the homepage as not loaded', async () => {
    const t0 = Date.now();
    const out = await scan('5118000014', 600);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(out.attempts.find((a) => a.check === 'http:GET')).toMatchObject({ status: 'error', error: { code: 'ETIMEDOUT' } });
    expect(out.observations.find((o) => o.kind === 'reachability.homepage')!.facts.loaded).toBe(false);
  });

  it('records resolver failure as unknown: the homepage is neither loaded nor unloaded', async () => {
    const out = await scan('5118000021');
    expect(out.attempts.find((a) => a.check === 'dns:A')).toMatchObject({ status: 'unknown', error: { code: 'ESERVFAIL' } });
    expect(out.attempts.find((a) => a.check === 'http:GET')).toMatchObject({ status: 'unknown', error: { code: 'EDNSUNKNOWN' } });
    expect(out.observations.find((o) => o.kind === 'reachability.homepage')!.facts.loaded).toBeNull();
  });

  it('gives availability rules what they need: unreachable, slow, and nothing for an unknown', async () => {
    // The shipped census rules judge the census scanner's probes; rules on the homepage fetch work the same way.
    const base = { severity: 'high', description: { zh: '-', en: '-' }, remediation: { zh: '-', en: '-' }, reference: '-', scanner: 'reachability', observation: 'reachability.homepage', kind: 'problem', source: { file: 'test', line: 1 } } as const;
    const rules: Rule[] = [
      { ...base, id: 'test.unreachable', title: { zh: '无法访问', en: 'unreachable' }, match: { fact: 'loaded', equals: false }, evidence: ['url', 'status', 'error'] },
      { ...base, id: 'test.slow', title: { zh: '较慢', en: 'slow' }, match: { all: [{ fact: 'loaded', equals: true }, { fact: 'totalMs', gt: 300 }] } },
    ];
    const outs = await Promise.all(['5118000022', '5118260001', '5118000021', '5118000031'].map((c) => scan(c)));
    const findings = judge(rules, outs.flatMap((o) => o.observations));
    expect(findings.map((f) => [f.site.code, f.ruleId]).sort()).toEqual([['5118000031', 'test.unreachable'], ['5118260001', 'test.slow']]);
    expect(findings.find((f) => f.ruleId === 'test.unreachable')!.evidence).toContain('status: 503');
  });
});
