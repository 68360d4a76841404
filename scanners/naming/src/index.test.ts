import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge, parseRegistry, parseRuleFile, silentLogger, type InputProblem, type Observation, type Registry, type Rule, type ScanContext, type ScanOutput } from '@govscan/core';
import { createNetClient } from '@govscan/net';
import { governmentHomepage, startWorld, type DnsSpec, type HostSpec, type World } from '@govscan/testbed';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { naming } from './index.js';

// ---------------------------------------------------------------------------
// The registry: one site per scenario (the table), then the bad-input sites.

const registryYaml = `version: 1
sites:
  - { code: "5118000022", name: 雅安市人民政府, unit: 雅安市人民政府办公室, kind: portal, division: "511800", urls: [https://www.yaan.gov.cn/], icp: 蜀ICP备05005390号-1, psb: 川公网安备 51180002000100号, contact: 0835-2212345 }
  - { code: "5118000017", name: 雅安市发展和改革委员会, unit: 雅安市发展和改革委员会, kind: department, division: "511800", urls: [https://fgw.yaan.com.cn/], icp: 蜀ICP备10081201号-2, psb: 川公网安备 51180002000170号, contact: 0835-2498915 }
  - { code: "5118020001", name: 雨城区人民政府, unit: 雨城区人民政府办公室, kind: county-portal, division: "511802", urls: [https://yucheng.gov.cn/], icp: 蜀ICP备08138640号-1, psb: 川公网安备 51180202000014号, contact: 0835-2241002 }
  - { code: "5118000004", name: 雅安市经济和信息化委员会, unit: 雅安市经济和信息化委员会, kind: department, division: "511800", urls: [https://jxw.sc.gov.cn/], icp: 蜀ICP备12185930号, psb: 川公网安备 51180002000177号, contact: 0835-2527572 }
  - { code: "5118000025", name: 雅安市教育局, unit: 雅安市教育局, kind: department, division: "511800", urls: [http://jyj.yaan.gov.cn/, http://edu.yaan.gov.cn/], icp: 蜀ICP备13290659号, psb: 川公网安备 51180002000184号, contact: 0835-2556229 }
  - { code: "5118000000", name: 雅安市统计局, unit: 雅安市统计局, kind: department, division: "511800", urls: [https://tjj.yaan.gov.cn/], icp: 蜀ICP备05385239号, psb: 川公网安备 51180002000324号, contact: 0835-2129369 }
  - { code: "5118000006", name: 雅安市审计局, unit: 雅安市审计局, kind: department, division: "511800", urls: [http://sjj.yaan.gov.cn/, "http://雅安市审计局.中国/"], icp: 蜀ICP备12861594号, psb: 川公网安备 51180002000289号, contact: 0835-2986084 }
  - { code: "5118000026", name: 雅安市科学技术和知识产权局, unit: 雅安市科学技术和知识产权局, kind: department, division: "511800", urls: [https://kjj.yaan.gov.cn/], icp: 蜀ICP备15395388号-1, psb: 川公网安备 51180002000191号, contact: 0835-2584886 }
  - { code: "5118000030", name: 雅安市公安局, unit: 雅安市公安局, kind: department, division: "511800", urls: [https://gaj.yaan.gov.cn/], icp: 蜀ICP备16500117号, psb: 川公网安备 51180002000198号, contact: 0835-2613543 }
  - { code: "5118000019", name: 雅安市农业局, unit: 雅安市农业局, kind: department, division: "511800", urls: [http://nyj.yaan.gov.cn/], icp: 蜀ICP备10919033号, psb: 川公网安备 51180002000226号, contact: 0835-2728171 }
  - { code: "5118000008", name: 雅安市林业局, unit: 雅安市林业局, kind: department, division: "511800", urls: [https://lyj.yaan.gov.cn/], icp: 蜀ICP备12023762号, psb: 川公网安备 51180002000233号, contact: 0835-2756828 }
  - { code: "5118000029", name: 雅安市环境保护局, unit: 雅安市环境保护局, kind: department, division: "511800", urls: [https://hbj.yaan.gov.cn/], icp: 蜀ICP备13128491号, psb: 川公网安备 51180002000240号, contact: 0835-2785485 }
  - { code: "5118000034", name: 雅安市卫生和计划生育委员会, unit: 雅安市卫生和计划生育委员会, kind: department, division: "511800", urls: [http://wjw.yaan.gov.cn/], icp: 蜀ICP备15233220号-1, psb: 川公网安备 51180002000247号, contact: 0835-2814142 }
  - { code: "5118000012", name: 雅安市人力资源和社会保障局, unit: 雅安市人力资源和社会保障局, kind: department, division: "511800", urls: [https://rsj.yaan.gov.cn/], icp: 蜀ICP备16337949号, psb: 川公网安备 51180002000254号, contact: 0835-2842799 }
  - { code: "5118000028", name: 雅安市国土资源局, unit: 雅安市国土资源局, kind: department, division: "511800", urls: [https://gtj.yaan.gov.cn/], icp: 蜀ICP备17442678号, psb: 川公网安备 51180002000261号, contact: 0835-2871456 }
  - { code: "5118000001", name: 雅安市食品药品监督管理局, unit: 雅安市食品药品监督管理局, kind: department, division: "511800", urls: [http://sypjj.yaan.gov.cn/], icp: 蜀ICP备05547407号-2, psb: 川公网安备 51180002000268号, contact: 0835-2900113 }
  - { code: "5118000033", name: 雅安市财政局, unit: 雅安市财政局, kind: department, division: "511800", urls: [http://czj.yaan.gov.cn/, "http://雅安市财政局.政务/"], icp: 蜀ICP备17604846号, psb: 川公网安备 51180002000205号, contact: 0835-2642200 }
  - { code: "5118000023", name: 雅安市城乡规划建设和住房保障局, unit: 雅安市城乡规划建设和住房保障局, kind: department, division: "511800", urls: [https://zjj.yaan.gov.cn/], icp: 蜀ICP备05709575号, psb: 川公网安备 51180002000212号, contact: 0835-2670857 }
  - { code: "5118000016", name: 雅安市交通运输局, unit: 雅安市交通运输局, kind: department, division: "511800", urls: [https://jtysj.yaan.gov.cn/], icp: 蜀ICP备08814304号-1, psb: 川公网安备 51180002000219号, contact: 0835-2699514 }
  - { code: "5118250001", name: 天全县人民政府, unit: 天全县人民政府办公室, kind: county-portal, division: "511825", urls: [https://www.tianquan.gov.cn/], icp: 蜀ICP备12348098号-2, psb: 川公网安备 51182502000040号, contact: 0835-2298316 }
  - { code: "5118260001", name: 芦山县人民政府, unit: 芦山县人民政府办公室, kind: county-portal, division: "511826", urls: [https://www.lushan.gov.cn/], icp: 蜀ICP备13452827号, psb: 川公网安备 51182602000003号, contact: 0835-2326973 }
  - { code: "5118270005", name: 宝兴县人民政府, unit: 宝兴县人民政府办公室, kind: county-portal, division: "511827", urls: [https://www.baoxing.gov.cn/], icp: 蜀ICP备15557556号-1, psb: 川公网安备 51182702000016号, contact: 0835-2355630 }
  # bad input
  - { code: "5118000003", name: 雅安市城市管理行政执法局, unit: 雅安市城市管理行政执法局, kind: department, division: "511800", urls: [https://cgj.yaan.gov.cn/], icp: 蜀ICP备13966323号, psb: 川公网安备 51180002000296号, contact: 0835-2014741 }
  - { code: "5118000035", name: 雅安市政府国有资产监督管理委员会, unit: 雅安市政府国有资产监督管理委员会, kind: department, division: "511800", urls: [https://gzw.yaan.gov.cn/], icp: 蜀ICP备15071052号-1, psb: 川公网安备 51180002000303号, contact: 0835-2043398 }
  - { code: "5118000009", name: 雅安市房地产管理局, unit: 雅安市房地产管理局, kind: department, division: "511800", urls: [https://fgj.yaan.gov.cn/], icp: 蜀ICP备16013613号-2, psb: 川公网安备 51180002000366号, contact: 0835-2301311 }
  - { code: "5118000032", name: 雅安市扶贫和移民工作局, unit: 雅安市扶贫和移民工作局, kind: department, division: "511800", urls: [http://fpymj.yaan.gov.cn/], icp: 蜀ICP备16175781号, psb: 川公网安备 51180002000310号, contact: 0835-2072055 }
  - { code: "5118000014", name: 雅安市安全生产信息网, unit: 雅安市安全生产监督管理局, kind: department, division: "511800", urls: [https://ajj.yaan.gov.cn/], icp: 蜀ICP备17280510号-2, psb: 川公网安备 51180002000317号, contact: 0835-2100712 }
  - { code: "5118000018", name: 雅安市工商行政管理局, unit: 雅安市工商行政管理局, kind: department, division: "511800", urls: [http://gsj.yaan.gov.cn/], icp: 蜀ICP备08489968号-1, psb: 川公网安备 51180002000331号, contact: 0835-2158026 }
  - { code: "5118000005", name: 雅安市投资促进局, unit: 雅安市投资促进局, kind: department, division: "511800", urls: [https://tzcjj.yaan.gov.cn/], icp: 蜀ICP备10594697号, psb: 川公网安备 51180002000338号, contact: 0835-2186683 }
  - { code: "5118000021", name: 雅安市防震减灾局, unit: 雅安市防震减灾局, kind: department, division: "511800", urls: [https://fzjz.yaan.gov.cn/], icp: 蜀ICP备12699426号, psb: 川公网安备 51180002000345号, contact: 0835-2215340 }
  - { code: "5118000024", name: 雅安市人民政府法制办公室, unit: 雅安市人民政府法制办公室, kind: department, division: "511800", urls: [http://fzb.yaan.gov.cn/], icp: 蜀ICP备17118342号, psb: 川公网安备 51180002000373号, contact: 0835-2329968 }
  - { code: "5118000031", name: 雅安市档案局, unit: 雅安市档案局, kind: department, division: "511800", urls: [http://daj.yaan.gov.cn/], icp: 蜀ICP备13804155号, psb: 川公网安备 51180002000352号, contact: 0835-2243997 }
`;

const registry: Registry = parseRegistry(registryYaml, 'registry.yaml');
const siteOf = (code: string) => registry.sites.find((s) => s.code === code)!;
const hostOf = (code: string) => new URL(siteOf(code).urls[0]!).hostname;

/** The compliant homepage of a registered site, as the testbed writes it. */
function page(code: string, over: { icp?: string; psb?: string; contact?: string | null } = {}): string {
  const s = siteOf(code);
  const contact = over.contact === null ? undefined : (over.contact ?? s.contact);
  return governmentHomepage(
    { code: s.code, name: s.name, unit: s.unit, host: hostOf(code), icp: over.icp ?? s.icp!, psb: over.psb ?? s.psb!, ...(contact ? { contact } : {}) },
    { date: new Date('2018-06-06T02:00:00Z') },
  );
}

const cut = (html: string, re: RegExp): string => {
  if (!re.test(html)) throw new Error(`fixture: ${re} not in the page`);
  return html.replace(re, '');
};
const FOOTER = /<div class="footer">[\s\S]*<\/div>\s*(?=<\/body>)/;
const CONAC = /<div class="conac">[\s\S]*?<\/div>/;
const JIUCUO = /<div class="jiucuo">[\s\S]*?<\/div>/;
const METAS = /\s*<meta name="Site(Name|Domain|IDCode)" content="[^"]*">/g;

/** An HTTPS (or HTTP, by the registered URL) host serving `body` at `/`, other paths as given. */
function serve(code: string, body: string | undefined, extra: Partial<HostSpec> = {}, pages: Record<string, { body: string }> = {}): HostSpec {
  const url = new URL(siteOf(code).urls[0]!);
  const vhost = { pages: { '/': { body: body ?? page(code) }, ...pages } };
  return url.protocol === 'https:' ? { name: url.hostname, https: vhost, ...extra } : { name: url.hostname, http: vhost, https: null, ...extra };
}

/** A zone apex with two name servers in different /24s and a CAA record, unless told otherwise. */
function zone(apex: string, o: { caa?: boolean; ns?: string[][]; site?: HostSpec } = {}): HostSpec[] {
  const servers = o.ns ?? [['ns1', '127.1.0.53'], ['ns2', '127.2.0.53']];
  const dns: DnsSpec = { ns: servers.map(([n]) => `${n}.${apex}`) };
  if (o.caa !== false) dns.caa = [{ flags: 0, tag: 'issue', value: 'ca.example.cn' }];
  // A site at the apex itself keeps its addresses (record data turns the default A/AAAA off).
  const apexSpec: HostSpec = o.site ? { ...o.site, dns: { ...dns, a: ['127.0.0.1'], aaaa: ['::1'] } } : { name: apex, dns, http: null, https: null };
  return [apexSpec, ...servers.map(([n, a]) => ({ name: `${n}.${apex}`, dns: { a: [a!] }, http: null, https: null }) as HostSpec)];
}

/** A frameset page of a site: its title and meta tags, and frames. */
function frameset(code: string, ...srcs: string[]): string {
  const s = siteOf(code);
  return `<!DOCTYPE html><html><head><title>${s.name}</title><meta name="SiteName" content="${s.name}"><meta name="SiteDomain" content="${hostOf(code)}"><meta name="SiteIDCode" content="${code}"></head><frameset rows="*,120">${srcs.map((x) => `<frame src="${x}">`).join('')}</frameset></html>`;
}

let v6: World;
let v4: World;
let rules: Rule[];

beforeAll(async () => {
  const dir = fileURLToPath(new URL('../../../rules/', import.meta.url));
  const problems: InputProblem[] = [];
  rules = (await Promise.all(['naming.yaml', 'dns.yaml'].map(async (f) => parseRuleFile(await readFile(dir + f, 'utf8'), f, problems, { scanners: { naming } })))).flat();
  expect(problems).toEqual([]);

  const gbk = page('5118000033').replace('<meta charset="utf-8">', '<meta charset="gbk">').replace('网站标识码：5118000033', '网站标识码：５１１８０００　０３３');
  const big = (tokensFirst: boolean): string => {
    const filler = `<p>${'雅安市政府网站集约化平台 '.repeat(90_000)}</p>`;
    const info = page('5118000035').match(/<div class="info">[\s\S]*?<\/div>/)![0];
    return page('5118000035').replace(/<div class="info">[\s\S]*?<\/div>/, tokensFirst ? info + filler : filler + info);
  };
  const broken = page('5118000018')
    .replace(/<\/(div|p|li|ul|a)>/g, '')
    .replace('<div class="main">', '<div class="main"></table></td><<>>< p <b><i>未闭合')
    .replace(/content="([^"]*)"/g, 'content=$1')
    .replace('<body>', '<body><table><tr><td>');

  v6 = await startWorld({
    ipv6: true,
    hosts: [
      ...zone('yaan.gov.cn'),
      ...zone('yaan.com.cn'),
      ...zone('yucheng.gov.cn', { site: serve('5118020001', undefined) }),
      ...zone('sc.gov.cn'),
      ...zone('tianquan.gov.cn', { caa: false }),
      ...zone('lushan.gov.cn', { ns: [['ns1', '127.1.0.53']] }),
      ...zone('baoxing.gov.cn', { ns: [['ns1', '127.3.0.1'], ['ns2', '127.3.0.2']] }),
      serve('5118000022', undefined),
      serve('5118000017', undefined),
      serve('5118000004', undefined),
      serve('5118000025', undefined),
      serve('5118000000', undefined),
      serve('5118000006', undefined),
      serve('5118000026', page('5118000026').replace(FOOTER, '<div class="footer"></div>')),
      serve('5118000030', page('5118000030').replace('<meta name="SiteIDCode" content="5118000030">', '<meta name="SiteIDCode" content="5118000022">')),
      serve('5118000019', cut(page('5118000019'), CONAC)),
      serve('5118000008', cut(page('5118000008'), JIUCUO)),
      serve('5118000029', page('5118000029', { icp: '蜀ICP备99990000号' })),
      serve('5118000034', page('5118000034', { psb: '川公网安备 51180002009999号' })),
      serve('5118000012', page('5118000012', { contact: null })),
      serve('5118000028', cut(page('5118000028'), METAS)),
      serve('5118000001', page('5118000001').replace('<title>雅安市食品药品监督管理局</title>', '<title>首页</title>').replace('<meta name="SiteName" content="雅安市食品药品监督管理局">', '<meta name="SiteName" content="首页">')),
      { name: 'czj.yaan.gov.cn', http: { pages: { '/': { body: gbk, charset: 'gbk' } } }, https: null },
      { ...serve('5118000023', undefined), dns: { a: ['127.0.0.1'], aaaa: [] } },
      serve('5118250001', undefined),
      serve('5118260001', undefined),
      serve('5118270005', undefined),
      // bad input
      serve('5118000003', '<html><head><title>雅安市城市管理行政执法局</title></head><body><p>欢迎访问</p></body></html>'),
      serve('5118000035', big(false)),
      serve('5118000009', page('5118000009').replace(/<div class="info">[\s\S]*?<\/div>/, (m) => m + `<p>${'页脚'.repeat(1_100_000)}</p>`)),
      { name: 'fpymj.yaan.gov.cn', http: { pages: { '/': { body: frameset('5118000032', '/top.html', '/nav.html') }, '/top.html': { body: frameset('5118000032', '/main.html', '/foot.html') }, '/nav.html': { body: '<html><body>导航</body></html>' }, '/main.html': { body: '<html><body>正文</body></html>' }, '/foot.html': { body: page('5118000032') } } }, https: null },
      {
        name: 'ajj.yaan.gov.cn',
        https: { pages: { '/': { body: frameset('5118000014', '/a.html') }, '/a.html': { body: frameset('5118000014', '/b.html', '/') }, '/b.html': { body: frameset('5118000014', '/c.html') }, '/c.html': { body: page('5118000014') } } },
      },
      serve('5118000018', broken),
      { name: 'tzcjj.yaan.gov.cn', https: { pages: { '/': { body: page('5118000005').replace('<meta charset="utf-8">', ''), charset: 'gbk', contentType: 'text/html; charset=utf-8' } } } },
      { name: 'fzjz.yaan.gov.cn', https: { pages: { '/': { body: page('5118000021').replace('<meta charset="utf-8">', ''), contentType: 'text/html; charset=gbk' } } } },
      { name: 'daj.yaan.gov.cn', http: { pages: { '/': { status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' } } }, https: null },
    ],
  });
  // A world without IPv6: an AAAA record there points at nothing that answers.
  v4 = await startWorld({ hosts: [...zone('yaan.gov.cn'), { ...serve('5118000016', undefined), dns: { a: ['127.0.0.1'], aaaa: ['::1'] } }] });
});
afterAll(async () => {
  await v6?.stop();
  await v4?.stop();
});

async function scan(code: string, world: World = v6, timeoutMs = 4000): Promise<ScanOutput> {
  const net = createNetClient({ resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile, registeredHosts: registry.sites.flatMap((s) => s.urls.map((u) => new URL(u).hostname)), timeoutMs });
  const ctx: ScanContext = { net, registry, timeoutMs, signal: new AbortController().signal, log: silentLogger, now: () => new Date() };
  try {
    return await naming.scan(siteOf(code), ctx);
  } finally {
    await net.close();
  }
}

const fired = (obs: Observation[]): string[] => [...new Set(judge(rules, obs).map((f) => f.ruleId))].sort();
const facts = (out: ScanOutput, kind: string) => out.observations.find((o) => o.kind === kind)!.facts;

/** Scenario → the rules that must fire on it, and no others. */
const TABLE: [scenario: string, code: string, expected: string[], world?: 'v4'][] = [
  ['a fully compliant portal', '5118000022', []],
  ['a department on a non-gov domain', '5118000017', ['naming.domain.suffix']],
  ['a county portal without www.', '5118020001', ['naming.domain.portal-form']],
  ['a department under another level\'s portal', '5118000004', ['naming.domain.department-form']],
  ['a department with two English domains', '5118000025', ['naming.domain.multiple']],
  ['a site code with sequence 0000', '5118000000', ['naming.site-code.invalid']],
  ['a Chinese domain not under .政务', '5118000006', ['naming.domain.suffix']],
  ['a homepage without footer tokens', '5118000026', ['naming.footer.conac', 'naming.footer.icp', 'naming.footer.jiucuo', 'naming.footer.psb', 'naming.footer.sponsor', 'naming.site-code.page']],
  ['a wrong site code in the SiteIDCode meta tag', '5118000030', ['naming.site-code.page']],
  ['no CONAC badge', '5118000019', ['naming.footer.conac']],
  ['no 找错 entry', '5118000008', ['naming.footer.jiucuo']],
  ['an ICP number that differs from the registry', '5118000029', ['naming.footer.icp']],
  ['a 公网安备 number that differs from the registry', '5118000034', ['naming.footer.psb']],
  ['no contact line', '5118000012', ['naming.footer.sponsor']],
  ['no SiteName/SiteDomain/SiteIDCode meta tags', '5118000028', ['naming.meta.missing']],
  ['a title and SiteName without the registry name', '5118000001', ['naming.title.mismatch']],
  ['a GBK page with full-width digits, and a .政务 second domain', '5118000033', []],
  ['a site with no AAAA', '5118000023', ['dns.ipv6.missing']],
  ['a site whose AAAA does not answer', '5118000016', ['dns.ipv6.unreachable'], 'v4'],
  ['a zone without CAA', '5118250001', ['dns.caa.missing']],
  ['a zone with one name server', '5118260001', ['dns.ns.single']],
  ['a zone whose name servers share a /24', '5118270005', ['dns.ns.single']],
];

describe('naming: every rule fires on its scenario and on no other', () => {
  let results: Map<string, ScanOutput>;
  beforeAll(async () => {
    const outs = await Promise.all(TABLE.map(async ([, code, , w]) => [code, await scan(code, w === 'v4' ? v4 : v6)] as const));
    results = new Map(outs);
  });

  it.each(TABLE)('%s (%s)', (_name, code, expected) => {
    const out = results.get(code)!;
    expect(fired(out.observations)).toEqual([...expected].sort());
    // every check either ran or says why not; none is silently skipped
    expect(out.attempts.length).toBeGreaterThan(0);
  });

  it('covers every naming and DNS rule', () => {
    const covered = new Set(TABLE.flatMap(([, , e]) => e));
    expect(rules.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  it('exposes the identity of the compliant portal, each token with where it was found', () => {
    const id = facts(results.get('5118000022')!, 'naming.identity');
    expect(id).toMatchObject({ siteCode: '5118000022', icp: '蜀ICP备05005390号-1', psb: '川公网安备 51180002000100号', sponsor: '雅安市人民政府办公室', contact: '0835-2212345', name: '雅安市人民政府', siteDomain: 'www.yaan.gov.cn', complete: true });
    expect(id.conacId).toMatch(/^\d{8}$/);
    const sources = id.sources as Record<string, { value: string; where: string }[]>;
    expect(sources.siteCode!.map((t) => t.where)).toEqual(['footer-text', 'meta[name=SiteIDCode]', 'script#_jiucuo_[sitecode]']);
    expect(sources.conac![0]!.where).toBe('script[src]');
    expect(sources.psb!).toEqual([{ value: '川公网安备 51180002000100号', where: 'footer-text' }, { value: '51180002000100', where: 'a[href] recordcode' }]);
    expect(results.get('5118000022')!.attempts.every((a) => a.status === 'ok')).toBe(true);
  });

  it('reads GBK and full-width digits', () => {
    const p = facts(results.get('5118000033')!, 'naming.page');
    expect(p).toMatchObject({ charset: 'gbk', charsetSource: 'header', charsetMismatch: false, siteCodesShown: ['5118000033'], sponsor: '雅安市财政局' });
  });

  it('says what the site code conflict is', () => {
    const p = facts(results.get('5118000030')!, 'naming.page');
    expect(p).toMatchObject({ siteCodeShown: true, siteCodeMeta: '5118000022', siteCodeOthers: ['5118000022'] });
  });

  it('tells an AAAA that does not answer from a missing one', () => {
    expect(facts(results.get('5118000016')!, 'dns.ipv6')).toMatchObject({ hasAaaa: true, v6Loaded: false, v4Loaded: true, v6Error: 'ECONNREFUSED' });
    expect(results.get('5118000016')!.attempts.find((a) => a.check === 'ipv6:GET')).toMatchObject({ status: 'error', error: { code: 'ECONNREFUSED' } });
    expect(facts(results.get('5118000023')!, 'dns.ipv6')).toMatchObject({ hasAaaa: false, aaaaStatus: 'nodata' });
    expect(facts(results.get('5118000022')!, 'dns.ipv6')).toMatchObject({ hasAaaa: true, v6Loaded: true, v6Address: '::1' });
  });

  it('finds CAA and name servers at the zone apex', () => {
    expect(facts(results.get('5118000022')!, 'dns.caa')).toMatchObject({ caaFound: true, caaName: 'yaan.gov.cn', checked: ['www.yaan.gov.cn', 'yaan.gov.cn'] });
    expect(facts(results.get('5118270005')!, 'dns.ns')).toMatchObject({ zone: 'baoxing.gov.cn', nsCount: 2, nsDistinctSubnets: 1, nsSubnets: ['127.3.0.0/24'] });
  });
});

describe('naming: bad input gives findings or attempts with reasons, never a crash', () => {
  it('a page with no footer: footer findings, and the fact that no footer was found', async () => {
    const out = await scan('5118000003');
    expect(fired(out.observations)).toEqual(['naming.footer.conac', 'naming.footer.icp', 'naming.footer.jiucuo', 'naming.footer.psb', 'naming.footer.sponsor', 'naming.meta.missing', 'naming.site-code.page']);
    expect(facts(out, 'naming.page')).toMatchObject({ footerFound: false, complete: true, titleHasName: true });
  });

  it('a 2 MB footer with the tokens past the byte limit: unknown with the reason, no finding made up', async () => {
    const t0 = Date.now();
    const out = await scan('5118000035');
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(fired(out.observations)).toEqual([]);
    expect(facts(out, 'naming.page')).toMatchObject({ truncated: true, complete: false, footerFound: true, icpFound: null, siteCodeShown: null });
    expect(out.attempts.find((a) => a.check === 'identity:extract')).toMatchObject({ status: 'unknown', error: { code: 'E_INCOMPLETE', message: expect.stringContaining('cut at') } });
  });

  it('a 2 MB footer with the tokens first: read as usual', async () => {
    const out = await scan('5118000009');
    expect(fired(out.observations)).toEqual([]);
    expect(facts(out, 'naming.identity')).toMatchObject({ siteCode: '5118000009', icp: '蜀ICP备16013613号-2' });
    expect(facts(out, 'naming.page').truncated).toBe(true);
  });

  it('nested frames: the footer is read from the frame that holds it', async () => {
    const out = await scan('5118000032');
    expect(fired(out.observations)).toEqual([]);
    const p = facts(out, 'naming.page');
    expect(p.frames).toEqual(expect.arrayContaining(['http://fpymj.yaan.gov.cn/top.html', 'http://fpymj.yaan.gov.cn/foot.html']));
    expect(p.icpWhere).toEqual(['蜀ICP备16175781号 @ frame http://fpymj.yaan.gov.cn/foot.html: footer-text']);
  });

  it('frames nested too deep (and a frame loop): unknown with the reason, no finding made up', async () => {
    const out = await scan('5118000014');
    expect(fired(out.observations)).toEqual([]);
    expect(out.attempts.find((a) => a.check === 'identity:frame' && a.status === 'unknown')).toMatchObject({ target: 'https://ajj.yaan.gov.cn/c.html', error: { code: 'E_FRAME_LIMIT' } });
    expect(facts(out, 'naming.page')).toMatchObject({ complete: false, conacFound: null });
  });

  it('broken markup: the tokens are still found', async () => {
    const out = await scan('5118000018');
    expect(fired(out.observations)).toEqual([]);
    expect(facts(out, 'naming.identity')).toMatchObject({ siteCode: '5118000018', psb: '川公网安备 51180002000331号', sponsor: '雅安市工商行政管理局', name: '雅安市工商行政管理局' });
  });

  it('an encoding that lies (UTF-8 declared over GBK, GBK declared over UTF-8): decoded right, the lie recorded', async () => {
    for (const code of ['5118000005', '5118000021']) {
      const out = await scan(code);
      expect(fired(out.observations)).toEqual([]);
      expect(facts(out, 'naming.page')).toMatchObject({ charsetMismatch: true, siteCodesShown: [code] });
      expect(out.observations.find((o) => o.kind === 'naming.page')!.evidence!.join('\n')).toContain('does not fit the bytes');
    }
  });

  it('a host that does not exist: attempts saying so, no naming or DNS finding', async () => {
    const out = await scan('5118000024');
    expect(fired(out.observations)).toEqual([]);
    expect(out.attempts.find((a) => a.check === 'identity:GET')).toMatchObject({ status: 'error', error: { code: 'ENOTFOUND' } });
    expect(facts(out, 'dns.ipv6')).toMatchObject({ aaaaStatus: 'nxdomain', hasAaaa: null });
    expect(facts(out, 'dns.caa').caaFound).toBeNull();
    expect(facts(out, 'dns.ns').nsCount).toBeNull();
  });

  it('a homepage answering 502: no identity, an unknown attempt saying why, no naming finding', async () => {
    const out = await scan('5118000031');
    expect(fired(out.observations)).toEqual([]);
    expect(out.observations.find((o) => o.kind === 'naming.page')).toBeUndefined();
    expect(facts(out, 'naming.identity')).toMatchObject({ loaded: false, siteCode: null });
    expect(out.attempts.find((a) => a.check === 'identity:extract')).toMatchObject({ status: 'unknown', error: { code: 'HTTP_502', message: expect.stringContaining('502') } });
  });
});
