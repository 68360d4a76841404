/**
 * Naming, identity and DNS problems planted in the demo world, and the DNS
 * that keeps the healthy sites healthy for those rules: IPv6 for the whole
 * world, and for every zone of the registry two name servers in different
 * /24s and a CAA record.
 *
 * Call on the scenario `demoScenario()` returns, before `startWorld`. Only the
 * homepage bodies of a few department sites are rewritten (string edits of
 * the testbed's own homepage, so their dates stay those of the demo).
 */
import type { Registry, Site } from '@govscan/core';
import { registrableDomain } from '@govscan/scanner-naming';
import type { DnsSpec, HostSpec, PageSpec, Scenario } from '@govscan/testbed';
import type { PlantedProblem } from '../demo-world.js';

interface Plant {
  code: string;
  seed: string;
  ruleIds: string[];
  how: string;
  page?: (html: string, site: Site) => string | null;
  charset?: string;
  dns?: 'no-aaaa';
}

/** What is planted. Sites the census plants (slow, reset, 502) are left alone. */
const PLANTS: Plant[] = [
  {
    code: '5118000025',
    seed: '首页未添加“我为政府网站找错”入口',
    ruleIds: ['naming.footer.jiucuo'],
    how: 'the 找错 script is missing from the footer',
    page: (html) => edit(html, /\s*<div class="jiucuo">[\s\S]*?<\/div>/, ''),
  },
  {
    code: '5118000030',
    seed: '网站标识码与名录不符（SiteIDCode 沿用了门户网站的标识码）',
    ruleIds: ['naming.site-code.page'],
    how: 'the SiteIDCode meta tag carries the city portal’s code 5118000022',
    page: (html, site) => edit(html, `<meta name="SiteIDCode" content="${site.code}">`, '<meta name="SiteIDCode" content="5118000022">'),
  },
  {
    code: '5118000015',
    seed: '首页页脚未展示 ICP 备案号和公安机关备案号',
    ruleIds: ['naming.footer.icp', 'naming.footer.psb'],
    how: 'the footer lost its ICP and 公网安备 lines in a redesign',
    page: (html, site) => {
      if (!site.icp || !site.psb) return null;
      const noIcp = edit(html, new RegExp(`\\s*<a href="https://beian\\.miit\\.gov\\.cn/"[^>]*>${esc(site.icp)}</a>`), '');
      return noIcp === null ? null : edit(noIcp, /\s*<p><a href="https:\/\/www\.beian\.gov\.cn\/[\s\S]*?<\/p>/, '');
    },
  },
  {
    code: '5118000028',
    seed: '网站不支持 IPv6 访问',
    ruleIds: ['dns.ipv6.missing'],
    how: 'the host has an A record and no AAAA',
    dns: 'no-aaaa',
  },
  {
    code: '5118000019',
    seed: '（无问题）首页为 GBK 编码',
    ruleIds: [],
    how: 'the homepage is served in GBK, as many older sites are; it must read as compliant',
    charset: 'gbk',
    page: (html) => edit(html, '<meta charset="utf-8">', '<meta charset="gbk">'),
  },
];

/** Zones planted with a DNS problem, by the code of the site whose zone it is. */
const ZONE_PLANTS: { code: string; seed: string; ruleId: string; how: string; caa: boolean; ns: [string, string][] }[] = [
  { code: '5118240001', seed: '域名未配置 CAA 记录', ruleId: 'dns.caa.missing', how: 'the zone has name servers but no CAA record', caa: false, ns: [['ns1', '127.1.0.53'], ['ns2', '127.2.0.53']] },
  { code: '5118230001', seed: '域名服务器单点（仅一台权威服务器）', ruleId: 'dns.ns.single', how: 'the zone has a single name server', caa: true, ns: [['ns1', '127.1.0.53']] },
];

const HEALTHY_NS: [string, string][] = [
  ['ns1', '127.1.0.53'],
  ['ns2', '127.2.0.53'],
];

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function edit(html: string, from: string | RegExp, to: string): string | null {
  const next = html.replace(from, to);
  return next === html ? null : next;
}

/** The vhost page that serves a host's homepage (HTTPS when the host has it, else HTTP). */
function homepageOf(spec: HostSpec): PageSpec | null {
  for (const v of [spec.https, spec.http]) {
    const p = v?.pages?.['/'];
    if (p && typeof p.body === 'string' && !p.redirect && (p.status ?? 200) === 200) return p;
  }
  return null;
}

function hostsOf(site: Site): string[] {
  return [...new Set(site.urls.map((u) => new URL(u).hostname))];
}

/**
 * Plant the naming problems into `scenario` (mutated) and return what was
 * planted. Idempotent enough for one call per scenario.
 */
export function plantNaming(scenario: Scenario, registry: Registry): PlantedProblem[] {
  const planted: PlantedProblem[] = [];
  const byName = new Map(scenario.hosts.map((h) => [h.name.toLowerCase(), h]));
  const byCode = new Map(registry.sites.map((s) => [s.code, s]));
  scenario.ipv6 = true;

  for (const p of PLANTS) {
    const site = byCode.get(p.code);
    if (!site) continue;
    let done = false;
    for (const host of hostsOf(site)) {
      const spec = byName.get(host);
      if (!spec) continue;
      if (p.dns === 'no-aaaa') {
        spec.dns = { ...(spec.dns ?? {}), a: ['127.0.0.1'], aaaa: [] };
        done = true;
      }
      const home = homepageOf(spec);
      if (p.page && home) {
        const next = p.page(home.body as string, site);
        if (next !== null) {
          home.body = next;
          if (p.charset) home.charset = p.charset;
          done = true;
        }
      }
    }
    if (done) for (const ruleId of p.ruleIds) planted.push({ code: p.code, seed: p.seed, ruleId, how: p.how });
  }

  // Every zone of the registry gets name servers and CAA; two get a DNS problem.
  const zones = new Map<string, { caa: boolean; ns: [string, string][] }>();
  for (const site of registry.sites) {
    const zp = ZONE_PLANTS.find((z) => z.code === site.code);
    for (const host of hostsOf(site)) {
      const apex = registrableDomain(host);
      if (!apex) continue;
      if (zp) {
        zones.set(apex, { caa: zp.caa, ns: zp.ns });
        planted.push({ code: site.code, seed: zp.seed, ruleId: zp.ruleId, how: `${apex}: ${zp.how}` });
      } else if (!zones.has(apex)) zones.set(apex, { caa: true, ns: HEALTHY_NS });
    }
  }
  for (const [apex, z] of zones) {
    const dns: DnsSpec = { ns: z.ns.map(([n]) => `${n}.${apex}`) };
    if (z.caa) dns.caa = [{ flags: 0, tag: 'issue', value: 'ca.example.cn' }];
    const existing = byName.get(apex);
    if (existing) existing.dns = { ...(existing.dns ?? { a: ['127.0.0.1'], aaaa: ['::1'] }), ...dns };
    else scenario.hosts.push({ name: apex, dns, http: null, https: null });
    for (const [n, a] of z.ns) {
      const name = `${n}.${apex}`;
      if (!byName.has(name) && !scenario.hosts.some((h) => h.name === name)) scenario.hosts.push({ name, dns: { a: [a] }, http: null, https: null });
    }
  }
  return planted;
}
