/**
 * The demo's lookalike zones: counterfeits of the city portal on the
 * China-specific names dnstwist misses, a suspicious login page, a parked
 * name, an unrelated site, a defensive registration, a wildcard zone, a
 * collision under gov.cn, a name whose DNS fails, and a resolver that drops
 * 5% of the queries for every one of them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { domainToASCII } from 'node:url';
import type { Registry, Site } from '@govscan/core';
import { siteProfile, type Classification } from '@govscan/scanner-lookalike';
import { governmentHomepage, type HostSpec, type VhostSpec } from '@govscan/testbed';
import { huntCommand } from '../commands/hunt/run.js';

export interface PlantedLookalike {
  /** Unicode form. */
  domain: string;
  ascii: string;
  /** The registered site it imitates. */
  code: string;
  classification: Classification;
  /** The finding it must raise, or null. */
  ruleId: string | null;
  /** What it is, in plain Chinese. */
  seed: string;
  how: string;
}

/** Share of DNS queries the demo's server drops, for every lookalike name. */
export const DEMO_DROP = 0.05;

/** TLDs the hunt's candidates live under: their unplanted names answer NXDOMAIN, minus the dropped share. */
const TLDS = ['cn', 'com', 'net', 'org', 'cc', 'top', 'vip', 'xyz', 'info', 'co', 'io', 'me', 'biz', 'site', 'online', 'ltd', 'hk', '中国', '政务', '公益', '公司', '网络'];

function clone(site: Site, host: string, charset?: string): VhostSpec {
  const body = governmentHomepage({ code: site.code, name: site.name, unit: site.unit, host, ...(site.icp ? { icp: site.icp } : {}), ...(site.psb ? { psb: site.psb } : {}), ...(site.contact ? { contact: site.contact } : {}) });
  return { pages: { '/': { body, ...(charset ? { charset } : {}) } } };
}

const page = (title: string, body: string): VhostSpec => ({ pages: { '/': { body: `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>` } } });

/** Replace the first letter that has a Cyrillic twin: yaan-gov → yаan-gov (Cyrillic а). */
function cyrillic(label: string): string {
  const twins: Record<string, string> = { a: 'а', o: 'о', e: 'е', c: 'с', p: 'р', x: 'х', y: 'у' };
  const i = [...label].findIndex((ch, j) => j > 0 && twins[ch]);
  return i < 0 ? label : label.slice(0, i) + twins[label[i]!] + label.slice(i + 1);
}

/**
 * Lookalike hosts for the registry's city portal (and one of its
 * departments), and what each must be classified as. Every name is one
 * `govscan hunt` generates; every one drops 5% of its DNS queries.
 */
export function lookalikeWorld(registry: Registry): { hosts: HostSpec[]; planted: PlantedLookalike[] } {
  const portal = registry.sites.find((s) => s.kind === 'portal') ?? registry.sites[0];
  if (!portal) return { hosts: [], planted: [] };
  const p = siteProfile(portal, registry);
  if (!p) return { hosts: [], planted: [] };
  const dept = registry.sites.find((s) => s.kind === 'department' && new URL(s.urls[0]!).hostname.startsWith('jyj.')) ?? registry.sites.find((s) => s.kind === 'department');
  const dp = dept ? siteProfile(dept, registry) : null;
  const L = p.label;
  const initials = p.placeStems[2] ?? L.slice(0, 2);
  const withLevel = p.placeStems[1] ?? `${L}shi`;
  const hosts: HostSpec[] = [];
  const planted: PlantedLookalike[] = [];
  const dns = { drop: DEMO_DROP };
  const plant = (name: string, code: string, classification: Classification, seed: string, how: string, spec: Omit<HostSpec, 'name'>): void => {
    const ascii = domainToASCII(name);
    hosts.push({ name: ascii, dns, ...spec });
    planted.push({ domain: name, ascii, code, classification, ruleId: ['counterfeit', 'suspicious', 'parked', 'collision'].includes(classification) ? `lookalike.${classification}` : null, seed, how });
  };
  const counterfeit = (name: string, how: string, charset?: string): void =>
    plant(name, portal.code, 'counterfeit', '仿冒门户网站', how, { http: clone(portal, name, charset), https: clone(portal, name, charset) });

  counterfeit(`${L}-gov.cn`, 'dash form, a copy of the portal');
  counterfeit(`${p.registrable}.com`, 'suffix spoof under CentralNic cn.com');
  counterfeit(`${L}gov.com`, 'joined form');
  counterfeit(`gov-${L}.cn`, 'dash form, gov first');
  counterfeit(`www-${L}-gov-cn.com`, 'the whole host joined by dashes');
  counterfeit(`${p.registrable}.cc`, 'suffix spoof, page in GBK', 'gbk');
  counterfeit(`${initials}gov.cn`, 'pinyin initials joined to gov');
  counterfeit(`${L}-gov.com.cn`, 'open .cn second level');
  counterfeit(`${withLevel}.${p.suffixUnicode}.net`, 'full pinyin with the level (市) and a suffix spoof');
  counterfeit(`${cyrillic(`${L}-gov`)}.com`, 'mixed-script homoglyph (a Cyrillic letter among Latin ones)');
  if (dept && dp?.departmentStems[0]) {
    const name = `${dp.departmentStems[0]}-${L}-gov.cn`;
    plant(name, dept.code, 'counterfeit', '仿冒部门网站', 'department form, a copy of the department site', { http: clone(dept, name), https: clone(dept, name) });
  }
  plant(`${p.placeStems[4] ?? `${initials}zf`}.com`, portal.code, 'suspicious', '以政府名义收集账号密码', 'a login page in the portal’s name, no identity tokens', {
    https: page(`${portal.name} 统一身份认证平台`, `<h1>${portal.name}统一身份认证平台</h1><form method="post" action="/login"><input name="user" placeholder="身份证号"><input type="password" name="pass" placeholder="密码"><button>登录</button></form>`),
    http: { pages: { '/': { status: 301, redirect: `https://${domainToASCII(`${p.placeStems[4] ?? `${initials}zf`}.com`)}/` } } },
  });
  plant(`${L}zhengfu.com`, portal.code, 'parked', '域名停放待售', 'a for-sale page', { http: page('域名出售', '<h1>此域名正在出售</h1><p>This domain is for sale. 联系 QQ 12345678</p>'), https: null });
  plant(`${L}.com`, portal.code, 'unrelated', '无关网站', 'a tea shop', { http: page('藏茶商城', '<h1>藏茶商城</h1><p>藏茶、边茶，产地直销，全国包邮。</p>'), https: page('藏茶商城', '<h1>藏茶商城</h1><p>藏茶、边茶，产地直销，全国包邮。</p>') });
  plant(`${L}-gov.net`, portal.code, 'unrelated', '防御性注册', 'a defensive registration redirecting to the portal', {
    http: { pages: { '/': { status: 301, redirect: portal.urls[0]! } } },
    https: { pages: { '/': { status: 301, redirect: portal.urls[0]! } } },
  });
  plant(`${L.slice(0, 1)}${L.slice(2)}.${p.suffixUnicode}`, portal.code, 'collision', '其他政府机构的相似域名', 'another government’s name under gov.cn (omission of a letter)', {});
  plant(`${L}-gov.org`, portal.code, 'unknown', '域名解析失败', 'its DNS answers SERVFAIL', { dns: { rcode: 'SERVFAIL' } });
  // A wildcard zone: every name under gov.cn.top resolves, so the suffix spoofs there exist only through it.
  hosts.push({ name: `*.${p.suffix}.top`, dns, http: page('建设中', '<p>网站建设中</p>'), https: null });
  for (const w of [`${p.registrable}.top`, `${p.host}.top`]) planted.push({ domain: w, ascii: w, code: portal.code, classification: 'wildcard', ruleId: null, seed: '泛解析域名', how: `*.${p.suffix}.top answers every name` });
  // Every other name under these TLDs does not exist, and 5% of the queries for them go unanswered too;
  // but no catch-all may cover a registered zone (yaan.gov.cn must stay as the scan sees it), so for .cn
  // only its open second levels get one.
  const zones = registry.sites.flatMap((s) => s.urls.map((u) => new URL(u).hostname.toLowerCase()));
  const catchAll = [...TLDS.map((t) => domainToASCII(t)), 'com.cn', 'net.cn', 'org.cn', ...(p.province ? [`${p.province}.cn`] : [])];
  for (const zone of catchAll) {
    if (zones.some((z) => z === zone || z.endsWith(`.${zone}`))) continue;
    hosts.push({ name: `*.${zone}`, dns: { rcode: 'NXDOMAIN', drop: DEMO_DROP } });
  }
  return { hosts, planted };
}

/**
 * The demo's hunt: run `govscan hunt` against a world holding the
 * lookalikes, then say how many of the planted ones were classified as
 * planted. Returns the hunt's exit code.
 */
export async function runLookalikeDemo(o: { registryPath: string; world: { resolver: string; connectTo: string[]; caFile: string }; planted: PlantedLookalike[]; out: string; stdout: NodeJS.WritableStream; signal?: AbortSignal; progress?: NodeJS.WritableStream | null }): Promise<number> {
  o.stdout.write(`\n$ govscan hunt --registry ${o.registryPath} --resolver ${o.world.resolver} ${o.world.connectTo.map((c) => `--connect-to ${c}`).join(' ')} --ca-file <world CA> --allow-private-targets --out ${o.out}\n\n`);
  const t0 = performance.now();
  const code = await huntCommand({
    registry: o.registryPath,
    resolvers: [o.world.resolver],
    connectTo: o.world.connectTo,
    caFile: o.world.caFile,
    allowPrivateTargets: true,
    out: o.out,
    timeoutMs: 10_000,
    stdout: o.stdout,
    progress: o.progress ?? null,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const doc = JSON.parse(await readFile(path.join(o.out, 'candidates.json'), 'utf8')) as { candidates: { ascii: string; classification: string | null }[] };
  const got = new Map(doc.candidates.map((c) => [c.ascii, c.classification]));
  const found = o.planted.filter((p) => got.get(p.ascii) === p.classification);
  o.stdout.write(`\nhunt took ${((performance.now() - t0) / 1000).toFixed(1)} s; planted lookalikes classified as planted: ${found.length} of ${o.planted.length}\n`);
  return code;
}
