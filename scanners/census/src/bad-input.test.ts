import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge, loadRules, parseRegistry, silentLogger, type Registry, type Rule, type ScanContext, type ScanOutput } from '@govscan/core';
import { createNetClient } from '@govscan/net';
import { startWorld, type HostSpec, type World } from '@govscan/testbed';
import { createCensusScanner } from './index.js';
import { HostGate } from './polite.js';
import { testSite } from '@govscan/testbed';

const NOW = new Date('2018-06-06T04:00:00Z');
const HOSTS = ['www.many.gov.cn', 'www.loops.gov.cn', 'www.dates.gov.cn', 'www.hostile.gov.cn', 'www.tricks.gov.cn'];
const registryYaml = `version: 1
sites:
${HOSTS.map((h, i) => `  - { code: "51180000${50 + i}", name: 测试${i}, unit: 测试单位, kind: department, division: "511800", urls: [http://${h}/] }`).join('\n')}
`;

function host(name: string, pages: HostSpec['http'] extends infer V ? (V extends { pages?: infer P } ? P : never) : never): HostSpec {
  return { name, http: { pages }, https: null };
}

let world: World;
let registry: Registry;
let rules: Rule[];
const out = new Map<string, ScanOutput>();
const elapsed = new Map<string, number>();

beforeAll(async () => {
  registry = parseRegistry(registryYaml, 'registry.yaml');
  rules = (await loadRules()).filter((r) => r.scanner === 'census');
  const base = (code: string, h: string) => testSite({ code, name: '测试', host: h, now: NOW });

  // 10,000 links, all distinct, all on the site.
  const many = base('5118000050', HOSTS[0]!);
  many['/'] = { body: `<html><body><div class="main"><ul>${Array.from({ length: 10_000 }, (_, i) => `<li><a href="/p/${i}.html">第${i}条信息的标题文字内容</a><span>2018-06-05</span></li>`).join('')}</ul></div></body></html>` };

  // Pages that link to each other in circles, a redirect loop, a self-redirect.
  const loops = base('5118000051', HOSTS[1]!);
  loops['/col/ywdt/'] = { body: '<div class="main"><ul><li><a href="/col/tzgg/">通知公告的链接标题</a> 2018-06-05</li><li><a href="/">回到首页的链接标题</a> 2018-06-05</li><li><a href="/loop-a">循环跳转的链接标题</a> 2018-06-05</li></ul></div>' };
  loops['/col/tzgg/'] = { body: '<div class="main"><ul><li><a href="/col/ywdt/">要闻动态的链接标题</a> 2018-06-05</li><li><a href="/self">跳转到自己的链接标题</a> 2018-06-05</li></ul></div>' };
  loops['/loop-a'] = { redirect: '/loop-b' };
  loops['/loop-b'] = { redirect: '/loop-a' };
  loops['/self'] = { redirect: '/self' };

  // Dates in the future and in 1900 only: nothing plausible, so nothing to call fresh or stale.
  const dates = base('5118000052', HOSTS[2]!);
  dates['/'] = {
    body: `<html><body><div class="main"><ul>
<li><a href="/art/home/0.html">日期在遥远未来的一条信息标题</a><span>2099-12-31</span></li>
<li><a href="/art/home/1.html">日期在一九〇〇年的一条信息标题</a><span>1900-01-01</span></li>
<li><a href="/art/home/2.html">日期在明年的一条信息的标题</a><span>2019-06-06</span></li>
</ul></div></body></html>`,
  };

  // Hostile markup on the homepage itself.
  const hostile = base('5118000053', HOSTS[3]!);
  hostile['/'] = { body: `<html><body>${'<div><span>'.repeat(30_000)}<li><a href="/art/home/0.html">深处\u0000的标题<script>window.__pwned=1</script></a> 2018-06-05${'<table><tr><td>'.repeat(5000)}<a href="/x" class="${'z'.repeat(500_000)}">巨大属性</a><<<>>>&#xFFFFFFFF;&#0;</body>` };

  // Relative-URL tricks: none of them may take the crawl anywhere but http(s) on the hosts they name.
  const tricks = base('5118000054', HOSTS[4]!);
  tricks['/'] = {
    body: `<html><head><base href="javascript:alert(1)//"></head><body><div class="main"><ul>
<li><a href="javascript:window.__pwned=1">脚本链接的一条信息标题</a> 2018-06-05</li>
<li><a href="mailto:office@yaan.gov.cn">邮件链接的一条信息标题</a> 2018-06-05</li>
<li><a href="//www.tricks.gov.cn/art/home/0.html">协议相对链接的信息标题</a> 2018-06-05</li>
<li><a href="/../../../../art/home/1.html">上溯目录链接的信息标题</a> 2018-06-05</li>
<li><a href="http://127.0.0.1:1/">指向本机端口的信息标题</a> 2018-06-05</li>
<li><a href="http://10.0.0.1/">指向内网地址的信息标题</a> 2018-06-05</li>
</ul></div></body></html>`,
  };

  world = await startWorld({ hosts: HOSTS.map((h, i) => host(h, [many, loops, dates, hostile, tricks][i]!)) });
  const net = createNetClient({ resolver: world.resolver, connectTo: world.connectTo, registeredHosts: HOSTS, timeoutMs: 3000 });
  const scanner = createCensusScanner({ probeIntervalMs: 10, perHostIntervalMs: 0, perHostConcurrency: 8 });
  const ctx: ScanContext = { net, registry, timeoutMs: 3000, signal: new AbortController().signal, log: silentLogger, now: () => NOW };
  await Promise.all(
    registry.sites.map(async (s) => {
      const t0 = performance.now();
      out.set(new URL(s.urls[0]!).hostname, await scanner.scan(s, ctx));
      elapsed.set(new URL(s.urls[0]!).hostname, performance.now() - t0);
    }),
  );
  await net.close();
}, 60_000);
afterAll(async () => world?.stop());

describe('bad input: bounded work, no crash', () => {
  it('a page with 10,000 links: 2,000 read, 300 checked, the rest reported as not checked', () => {
    const o = out.get('www.many.gov.cn')!;
    expect(o.observations.filter((x) => x.kind === 'census.link').length).toBe(300);
    const links = o.attempts.find((a) => a.check === 'links')!;
    expect(links).toMatchObject({ status: 'unknown', error: { code: 'E_LINKS_LIMIT' } });
    expect(links.error!.message).toMatch(/not checked/);
    // 3 probes, robots.txt, 40 articles, and at most HEAD + GET for each of the 300 links
    expect(world.requests.filter((r) => r.host === 'www.many.gov.cn').length).toBeLessThanOrEqual(3 + 1 + 40 + 600);
    expect(elapsed.get('www.many.gov.cn')).toBeLessThan(30_000);
  });

  it('link loops: pages linking in circles are read once each, redirect loops end as broken links', () => {
    const o = out.get('www.loops.gov.cn')!;
    const broken = judge(rules, o.observations).filter((f) => f.ruleId === 'census.links.broken');
    expect(broken.map((f) => f.target).sort()).toEqual(['http://www.loops.gov.cn/loop-a', 'http://www.loops.gov.cn/self']);
    expect(o.observations.find((x) => x.target === 'http://www.loops.gov.cn/loop-a')!.facts.error).toMatch(/EREDIRECTLOOP|ETOOMANYREDIRECTS/);
    const gets = world.requests.filter((r) => r.host === 'www.loops.gov.cn' && r.method === 'GET' && r.path === '/col/ywdt/');
    expect(gets.length).toBe(1);
  });

  it('dates in the future or in 1900: counted as implausible, never taken as the newest', () => {
    const home = out.get('www.dates.gov.cn')!.observations.find((x) => x.kind === 'census.list' && x.facts.role === 'homepage')!;
    expect(home.facts).toMatchObject({ items: 3, datedItems: 3, implausibleDates: 3, latestDate: null, ageDays: null });
    expect(judge(rules, [home])).toEqual([]);
  });

  it('hostile markup on the homepage: read within the bounds, no crash, no script', () => {
    const o = out.get('www.hostile.gov.cn')!;
    expect(o.attempts.find((a) => a.check === 'homepage')!.status).toBe('ok');
    expect(o.attempts.some((a) => a.check === 'scan')).toBe(false);
  });

  it('relative-URL tricks: javascript:, mailto:, a javascript: <base>; loopback and private targets refused by policy', () => {
    const o = out.get('www.tricks.gov.cn')!;
    const urls = o.observations.filter((x) => x.kind === 'census.link').map((x) => x.facts.url);
    expect(urls).not.toContain(expect.stringMatching(/^(javascript|mailto):/));
    expect(urls).toEqual(expect.arrayContaining(['http://www.tricks.gov.cn/art/home/0.html', 'http://www.tricks.gov.cn/art/home/1.html', 'http://127.0.0.1:1/', 'http://10.0.0.1/']));
    const priv = o.observations.find((x) => x.facts.url === 'http://10.0.0.1/')!;
    expect(priv.facts).toMatchObject({ status: null, errorStatus: 'unknown', error: 'EPOLICY' });
    // unknown, so not broken; it does leave the government's domains
    expect(judge(rules, [priv]).map((f) => f.ruleId)).toEqual(['census.links.external']);
    expect(o.attempts.find((a) => a.check === 'links')).toMatchObject({ status: 'unknown', error: { code: 'E_LINKS_UNKNOWN' } });
  });
});

describe('HostGate', () => {
  it('keeps at most N requests in flight and spaces their starts', async () => {
    const gate = new HostGate(2, 30);
    let inFlight = 0;
    let peak = 0;
    const starts: number[] = [];
    const signal = new AbortController().signal;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        gate.run(signal, async () => {
          starts.push(performance.now());
          peak = Math.max(peak, ++inFlight);
          await new Promise((r) => setTimeout(r, 100));
          inFlight--;
        }),
      ),
    );
    expect(peak).toBe(2);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(25);
  });

  it('lets a waiting request go when the run is aborted', async () => {
    const gate = new HostGate(1, 0);
    const ac = new AbortController();
    let release!: () => void;
    const first = gate.run(ac.signal, () => new Promise<void>((r) => (release = r)));
    const second = gate.run(ac.signal, async () => 'ran');
    ac.abort();
    await expect(second).rejects.toThrow(/aborted/);
    release();
    await first;
  });
});

describe('a page of links that all stall', () => {
  let stall: World;
  afterAll(async () => stall?.stop());

  it('costs a few timeouts, not one per link: the host is given up after the failure budget, the rest unknown', async () => {
    const name = 'www.stall.gov.cn';
    const pages: Record<string, { body?: string; behaviour?: { hang: true } }> = {
      '/': { body: `<html><body><div class="main"><ul>${Array.from({ length: 2000 }, (_, i) => `<li><a href="/s/${i}.html">第${i}条停滞的链接标题文字</a><span>2018-06-05</span></li>`).join('')}</ul></div></body></html>` },
    };
    for (let i = 0; i < 2000; i++) pages[`/s/${i}.html`] = { behaviour: { hang: true } };
    stall = await startWorld({ hosts: [{ name, http: { pages }, https: null }] });
    const reg = parseRegistry(`version: 1\nsites:\n  - { code: "5118000060", name: 停滞, unit: 测试单位, kind: department, division: "511800", urls: [http://${name}/] }\n`, 'registry.yaml');
    const net = createNetClient({ resolver: stall.resolver, connectTo: stall.connectTo, registeredHosts: [name], timeoutMs: 500 });
    const scanner = createCensusScanner({ probeIntervalMs: 10, perHostIntervalMs: 0, perHostConcurrency: 2, maxArticles: 0 });
    const ctx: ScanContext = { net, registry: reg, timeoutMs: 500, signal: new AbortController().signal, log: silentLogger, now: () => NOW };
    const t0 = performance.now();
    const o = await scanner.scan(reg.sites[0]!, ctx);
    const ms = performance.now() - t0;
    await net.close();
    // 300 links (the per-site limit) at 2 per host and 500 ms each would be 75 s
    expect(ms).toBeLessThan(10_000);
    const links = o.observations.filter((x) => x.kind === 'census.link');
    expect(links.length).toBe(300);
    const given = links.filter((x) => x.facts.error === 'E_HOST_FAILING');
    expect(given.length).toBeGreaterThan(280);
    expect(given.every((x) => x.facts.errorStatus === 'unknown')).toBe(true);
    // the stalled links are unknown, never broken
    expect(judge(rules, o.observations).filter((f) => f.ruleId === 'census.links.broken').length).toBeLessThan(10);
  }, 60_000);
});
