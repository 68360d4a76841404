import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge, loadRules, parseRegistry, silentLogger, type Registry, type Rule, type ScanContext, type ScanOutput } from '@govscan/core';
import { createNetClient } from '@govscan/net';
import { startWorld, type HostSpec, type World } from '@govscan/testbed';
import { census, CENSUS_KINDS, createCensusScanner, DEFAULT_CENSUS_OPTIONS } from './index.js';
import { articlePage, testSite } from '@govscan/testbed';

const NOW = new Date('2018-06-06T04:00:00Z');

const SITES: [code: string, host: string, extra?: string][] = [
  ['5118000001', 'www.good.gov.cn'],
  ['5118000002', 'www.stale.gov.cn'],
  ['5118000003', 'www.cols.gov.cn'],
  ['5118000004', 'www.empty.gov.cn'],
  ['5118000005', 'www.undated.gov.cn'],
  ['5118000006', 'www.broken.gov.cn'],
  ['5118000007', 'www.ext.gov.cn'],
  ['5118000008', 'www.dup.gov.cn'],
  ['5118000009', 'www.dup2.gov.cn'],
  ['5118000011', 'www.down.gov.cn'],
  ['5118000012', 'www.slow.gov.cn'],
  ['5118000013', 'www.robots.gov.cn'],
  ['5118000014', 'www.own.gov.cn', 'own: true'],
  ['5118000015', 'www.unknown.gov.cn'],
  ['5118000016', 'www.flaky.gov.cn'],
];

const registryYaml = `version: 1
sites:
${SITES.map(([code, host, extra]) => `  - { code: "${code}", name: 测试网站${code.slice(-2)}, unit: 测试单位, kind: department, division: "511800", urls: [http://${host}/]${extra ? `, ${extra}` : ''} }`).join('\n')}
`;

function site(code: string, host: string, o: Partial<Parameters<typeof testSite>[0]> = {}): HostSpec {
  return { name: host, http: { pages: testSite({ code, name: `测试网站${code.slice(-2)}`, host, now: NOW, ...o }) }, https: null };
}

const robotsTxt = { body: 'User-agent: *\nDisallow: /col/\n', contentType: 'text/plain' };

let world: World;
let registry: Registry;
let rules: Rule[];
const outputs = new Map<string, ScanOutput>();
const scanner = createCensusScanner({ probeIntervalMs: 20 });

beforeAll(async () => {
  registry = parseRegistry(registryYaml, 'registry.yaml');
  rules = (await loadRules()).filter((r) => r.scanner === 'census');
  const flaky = site('5118000016', 'www.flaky.gov.cn');
  world = await startWorld({
    hosts: [
      site('5118000001', 'www.good.gov.cn'),
      site('5118000002', 'www.stale.gov.cn', { homeAgeDays: 40 }),
      site('5118000003', 'www.cols.gov.cn', {
        columns: [
          { slug: 'ywdt', title: '要闻动态', ageDays: 20 },
          { slug: 'tzgg', title: '通知公告', ageDays: 100 },
          { slug: 'zcwj', title: '政策文件', ageDays: 200 },
          { slug: 'hdjl', title: '互动交流', ageDays: 400 },
          { slug: 'gzdt', title: '工作信息', type: '工作动态', ageDays: 10 },
        ],
      }),
      site('5118000004', 'www.empty.gov.cn', { columns: [{ slug: 'ywdt', title: '要闻动态' }, { slug: 'rsxx', title: '人事信息', ageDays: null }] }),
      site('5118000005', 'www.undated.gov.cn', {
        items: [
          { title: '关于开展安全生产隐患大排查的通知', href: '/art/a.html', date: '2018-06-05' },
          { title: '全市防汛减灾工作推进会召开', href: '/art/b.html', date: '' },
        ],
      }),
      site('5118000006', 'www.broken.gov.cn', {
        items: [
          { title: '关于开展安全生产隐患大排查的通知', href: '/art/a.html', date: '2018-06-05' },
          { title: '这篇文章已经被删除了但链接还在', href: '/art/gone.html', date: '2018-06-01', missing: true },
        ],
        extraHtml: '<div class="pic"><img src="/images/missing.png" alt="图片新闻"><a href="http://www.gone.gov.cn/zt/">专题</a></div>',
      }),
      site('5118000007', 'www.ext.gov.cn', {
        extraHtml: '<div class="links"><a href="http://www.shop.example.com/">网上商城</a><a href="http://www.sc.gov.cn/">四川省人民政府</a></div><div class="footer"><a href="http://www.partner.example.org/">合作伙伴</a></div>',
      }),
      site('5118000008', 'www.dup.gov.cn', {
        items: [
          { title: '全市防汛减灾工作推进会召开', href: '/art/a.html', date: '2018-06-05' },
          { title: '全市防汛减灾工作推进会召开', href: '/art/b.html', date: '2018-06-04' },
          { title: '关于做好近期疫苗接种工作的通告', href: '/art/c.html', date: '2018-06-03' },
        ],
      }),
      (() => {
        const h = site('5118000009', 'www.dup2.gov.cn', {
          items: [
            { title: '全市防汛减灾工作推进会召开', href: '/art/a.html', date: '2018-06-05' },
            { title: '防汛减灾工作推进会召开', href: '/art/b.html', date: '2018-06-04' },
            { title: '关于做好近期疫苗接种工作的通告', href: '/art/c.html', date: '2018-06-03' },
          ],
        });
        // the same article published again at another URL, under a shortened title in the list
        h.http!.pages!['/art/b.html'] = h.http!.pages!['/art/a.html']!;
        return h;
      })(),
      { name: 'www.down.gov.cn', http: { pages: { '/': { status: 502, body: 'Bad Gateway' } } }, https: null },
      (() => {
        const h = site('5118000012', 'www.slow.gov.cn');
        h.http!.pages!['/']!.behaviour = { delayMs: 1500 };
        return h;
      })(),
      (() => {
        const h = site('5118000013', 'www.robots.gov.cn');
        h.http!.pages!['/robots.txt'] = robotsTxt;
        return h;
      })(),
      (() => {
        const h = site('5118000014', 'www.own.gov.cn');
        h.http!.pages!['/robots.txt'] = robotsTxt;
        return h;
      })(),
      { name: 'www.unknown.gov.cn', dns: { rcode: 'SERVFAIL' } },
      flaky,
      { name: 'www.shop.example.com' },
      { name: 'www.partner.example.org' },
      { name: 'www.sc.gov.cn' },
    ],
  });
  // A homepage that fails one probe in three: the first request is reset, the rest answer.
  let calls = 0;
  const home = flaky.http!.pages!['/']!;
  Object.defineProperty(flaky.http!.pages!, '/', {
    enumerable: true,
    get: () => (calls++ === 0 ? { behaviour: { reset: true } } : home),
  });
  const net = createNetClient({ resolver: world.resolver, connectTo: world.connectTo, registeredHosts: registry.sites.flatMap((s) => s.urls.map((u) => new URL(u).hostname)), allowPrivateTargets: true, timeoutMs: 3000 });
  const ctx: ScanContext = { net, registry, timeoutMs: 3000, signal: new AbortController().signal, log: silentLogger, now: () => NOW };
  await Promise.all(registry.sites.map(async (s) => outputs.set(s.code, await scanner.scan(s, ctx))));
  await net.close();
}, 60_000);
afterAll(async () => world?.stop());

function findings(code: string, r: Rule[] = rules): string[] {
  return judge(r, outputs.get(code)!.observations).map((f) => f.ruleId).sort();
}

describe('census scanner', () => {
  it('finds nothing on a complete, fresh site, and every check ran', () => {
    expect(findings('5118000001')).toEqual([]);
    const out = outputs.get('5118000001')!;
    expect(out.attempts.filter((a) => a.status !== 'ok')).toEqual([]);
    expect(out.attempts.map((a) => a.check)).toEqual(expect.arrayContaining(['probe:1', 'probe:2', 'probe:3', 'homepage', 'robots', 'column', 'articles', 'links']));
    const cols = out.observations.filter((o) => o.kind === 'census.list' && o.facts.role === 'column');
    expect(cols.map((o) => [o.facts.name, o.facts.kind, o.facts.ageDays])).toEqual([['要闻动态', 'dynamic', 0], ['通知公告', 'notice', 0], ['政策文件', 'notice', 0]]);
    const home = out.observations.find((o) => o.kind === 'census.list' && o.facts.role === 'homepage')!;
    expect(home.facts).toMatchObject({ items: 3, datedItems: 3, undatedItems: 0, latestDate: '2018-06-06', ageDays: 0 });
    // every link and image of the homepage and the pages one level down, each checked once
    const links = out.observations.filter((o) => o.kind === 'census.link');
    expect(links.length).toBeGreaterThan(10);
    expect(links.every((o) => o.facts.status === 200)).toBe(true);
    expect(links.find((o) => o.facts.kind === 'image')?.facts.url).toBe('http://www.good.gov.cn/images/logo.png');
  });

  it('census.homepage.stale: the newest homepage item is 40 days old', () => {
    expect(findings('5118000002')).toEqual(['census.homepage.stale']);
    const f = judge(rules, outputs.get('5118000002')!.observations)[0]!;
    expect(f.evidence).toContain('ageDays: 40');
  });

  it('census.column.stale: a news column after 14 days, a policy column after 6 months, other columns never', () => {
    const f = judge(rules, outputs.get('5118000003')!.observations);
    expect(f.map((x) => [x.ruleId, x.target]).sort()).toEqual([
      ['census.column.stale', 'http://www.cols.gov.cn/col/ywdt/'],
      ['census.column.stale', 'http://www.cols.gov.cn/col/zcwj/'],
    ]);
  });

  it('census.column.empty: a column page with nothing in it', () => {
    const f = judge(rules, outputs.get('5118000004')!.observations);
    expect(f.map((x) => [x.ruleId, x.target])).toEqual([['census.column.empty', 'http://www.empty.gov.cn/col/rsxx/']]);
  });

  it('census.item.undated: a list item without a date', () => {
    expect(findings('5118000005')).toEqual(['census.item.undated']);
  });

  it('census.links.broken and census.images.broken: with the page each was on and the status or error', () => {
    const f = judge(rules, outputs.get('5118000006')!.observations);
    expect(f.map((x) => [x.ruleId, x.target]).sort()).toEqual([
      ['census.images.broken', 'http://www.broken.gov.cn/images/missing.png'],
      ['census.links.broken', 'http://www.broken.gov.cn/art/gone.html'],
      ['census.links.broken', 'http://www.gone.gov.cn/zt/'],
    ]);
    const gone = f.find((x) => x.target.endsWith('gone.html'))!;
    expect(gone.evidence).toEqual(expect.arrayContaining(['page: http://www.broken.gov.cn/', 'status: 404']));
    expect(f.find((x) => x.target.includes('www.gone.gov.cn'))!.evidence).toContain('error: ENOTFOUND');
    // a 404 answered to HEAD is asked again with GET before it counts
    const obs = outputs.get('5118000006')!.observations.find((o) => o.target.endsWith('missing.png'))!;
    expect(obs.facts.method).toBe('GET');
  });

  it('census.links.external: only links in the content that leave the government domains', () => {
    const f = judge(rules, outputs.get('5118000007')!.observations);
    expect(f.map((x) => [x.ruleId, x.target])).toEqual([['census.links.external', 'http://www.shop.example.com/']]);
  });

  it('census.content.duplicate: the same title twice in one list; the same article at two URLs', () => {
    expect(findings('5118000008')).toEqual(['census.content.duplicate']);
    expect(judge(rules, outputs.get('5118000008')!.observations)[0]!.evidence.join('\n')).toMatch(/「全市防汛减灾工作推进会召开」.*出现 2 次/);
    expect(findings('5118000009')).toEqual(['census.content.duplicate']);
    expect(judge(rules, outputs.get('5118000009')!.observations)[0]!.evidence.join('\n')).toMatch(/同一篇文章发布在 2 个网址/);
  });

  it('census.unreachable: every probe failed; and one failed probe in three reaches the 5% share', () => {
    expect(findings('5118000011')).toEqual(['census.unreachable']);
    const out = outputs.get('5118000011')!;
    expect(out.attempts.find((a) => a.check === 'homepage')).toMatchObject({ status: 'error', error: { code: 'HTTP_502' } });
    expect(out.observations.find((o) => o.kind === 'census.availability')!.facts).toMatchObject({ probes: 3, failures: 3, failureShare: 1, statuses: [502, 502, 502] });
    expect(findings('5118000016')).toEqual(['census.unreachable']);
    expect(outputs.get('5118000016')!.observations.find((o) => o.kind === 'census.availability')!.facts).toMatchObject({ failures: 1, successes: 2, failureShare: 0.333 });
  });

  it('census.slow: the median load time of the homepage above the threshold (lowered here to 1 s)', () => {
    const shipped = rules.find((r) => r.id === 'census.slow')!;
    expect(shipped.match).toEqual({ fact: 'totalMs', gt: 5000 });
    const fast = rules.map((r) => (r.id === 'census.slow' ? { ...r, match: { fact: 'totalMs', gt: 1000 } } : r));
    expect(findings('5118000012', fast)).toEqual(['census.slow']);
    expect(findings('5118000001', fast)).toEqual([]);
  });

  it('respects robots.txt, unless the registry says the site is the office own', () => {
    const blocked = outputs.get('5118000013')!;
    expect(findings('5118000013')).toEqual([]);
    const cols = blocked.attempts.filter((a) => a.check === 'column');
    expect(cols.length).toBe(3);
    expect(cols.every((a) => a.status === 'unknown' && a.error?.code === 'EROBOTS')).toBe(true);
    expect(world.requests.some((r) => r.host === 'www.robots.gov.cn' && r.path.startsWith('/col/'))).toBe(false);
    const own = outputs.get('5118000014')!;
    expect(own.attempts.filter((a) => a.check === 'column').every((a) => a.status === 'ok')).toBe(true);
    expect(world.requests.some((r) => r.host === 'www.own.gov.cn' && r.path === '/col/ywdt/')).toBe(true);
  });

  it('an unknown (resolver failure) is neither a finding nor a pass', () => {
    expect(findings('5118000015')).toEqual([]);
    const out = outputs.get('5118000015')!;
    expect(out.observations.find((o) => o.kind === 'census.availability')!.facts).toMatchObject({ failureShare: null, loaded: null, unknown: 3 });
    expect(out.attempts.find((a) => a.check === 'homepage')).toMatchObject({ status: 'unknown', error: { code: 'EDNSUNKNOWN' } });
  });

  it('is polite: an identifying User-Agent, robots.txt read, links checked with HEAD', () => {
    const reqs = world.requests.filter((r) => r.host === 'www.good.gov.cn');
    expect(reqs.length).toBeGreaterThan(10);
    expect(reqs.every((r) => /govscan/.test(String(r.headers['user-agent'])))).toBe(true);
    expect(reqs.some((r) => r.path === '/robots.txt')).toBe(true);
    expect(reqs.filter((r) => r.method === 'HEAD').length).toBeGreaterThan(0);
  });

  it('declares what it emits, with the defaults of the indicators', () => {
    expect(census.emits).toEqual(CENSUS_KINDS);
    expect(DEFAULT_CENSUS_OPTIONS).toMatchObject({ probes: 3, probeTimeoutMs: null, perHostConcurrency: 2 });
  });

  it('reads the article pages once whatever the number of lists they are in', () => {
    const reqs = world.requests.filter((r) => r.host === 'www.good.gov.cn' && r.path === '/art/home/0.html');
    expect(reqs.length).toBe(1);
    expect(articlePage('x')).toContain('<h1>x</h1>');
  });
});
