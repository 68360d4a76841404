/**
 * Attribution of a reported site: which registered site it imitates, and why.
 *
 * Kept apart on purpose: identity-token extraction belongs with the naming
 * scanner and the lookalike transformation with the lookalike scanner; this
 * module holds the small subset an investigation needs until those packages
 * export them.
 */
import { domainToUnicode } from 'node:url';
import type { Registry, Site } from '@govscan/core';
import type { IdentityTokens } from './page.js';

export type LookalikeKind =
  | 'suffix-appended'
  | 'dot-to-hyphen'
  | 'tld-swap'
  | 'label-embedded'
  | 'typo'
  | 'homoglyph'
  | 'same-host';

export interface LookalikeMatch {
  kind: LookalikeKind;
  genuineHost: string;
  /** What was done to the genuine name, in Chinese, for the dossier. */
  zh: string;
  en: string;
}

/** Map of confusable characters (Cyrillic, Greek, full-width) to the ASCII letters they imitate. */
const CONFUSABLE: Record<string, string> = {
  а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', і: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ɡ: 'g', һ: 'h', ӏ: 'l', ո: 'n', ν: 'v', ο: 'o', α: 'a', ı: 'i',
};

export function skeleton(host: string): string {
  const uni = domainToUnicode(host) || host;
  return [...uni.normalize('NFKC').toLowerCase()].map((c) => CONFUSABLE[c] ?? c).join('');
}

function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

const stripWww = (h: string): string => h.replace(/^www\d*\./, '');
/** The name without its public ending, e.g. yaan.gov.cn → yaan; yaan-gov.cn → yaan-gov. */
function stem(h: string): string {
  const labels = stripWww(h).split('.');
  const suffixes = ['gov.cn', 'com.cn', 'net.cn', 'org.cn', 'edu.cn', 'cn.com'];
  for (const s of suffixes) if (labels.join('.').endsWith(`.${s}`)) return labels.slice(0, -s.split('.').length).join('.');
  return labels.slice(0, -1).join('.');
}

/** How `host` was made from `genuine`, if it was made from it in a way people are fooled by. */
export function lookalikeTransformation(host: string, genuine: string): LookalikeMatch | null {
  const h = host.toLowerCase().replace(/\.$/, '');
  const g = genuine.toLowerCase().replace(/\.$/, '');
  if (h === g) return { kind: 'same-host', genuineHost: g, zh: '与登记域名相同', en: 'the registered host itself' };
  const gb = stripWww(g);
  if (h.startsWith(`${g}.`) || h.startsWith(`${gb}.`)) {
    const added = h.slice((h.startsWith(`${g}.`) ? g : gb).length);
    return { kind: 'suffix-appended', genuineHost: g, zh: `在真实域名 ${g} 之后追加“${added}”，使其看似政府域名`, en: `"${added}" appended after the genuine name ${g}` };
  }
  const hb = stripWww(h);
  if (hb.includes('-') && (hb.replace(/-/g, '.') === gb || hb.replace(/-/g, '.').startsWith(`${gb}.`))) {
    return { kind: 'dot-to-hyphen', genuineHost: g, zh: `把真实域名 ${gb} 中的“.”换成“-”`, en: `dots of ${gb} replaced by hyphens` };
  }
  const hs = skeleton(h);
  if (hs !== h && (hs === g || stripWww(hs) === gb)) {
    return { kind: 'homoglyph', genuineHost: g, zh: `用形近字符冒充 ${g}（国际化域名 ${domainToUnicode(h)}）`, en: `look-alike characters imitating ${g}` };
  }
  const hStem = stem(h);
  const gStem = stem(g);
  if (hStem && hStem === gStem) return { kind: 'tld-swap', genuineHost: g, zh: `保留 ${gStem}，把后缀换成非政府后缀`, en: `the name ${gStem} under another ending` };
  if (gStem.length >= 3) {
    const d = editDistance(hStem, gStem, 2);
    if (d > 0 && d <= (gStem.length >= 6 ? 2 : 1)) return { kind: 'typo', genuineHost: g, zh: `与真实域名 ${g} 仅差 ${d} 个字符`, en: `${d} character(s) from ${g}` };
    const labels = h.split('.');
    if (labels.some((l) => l === gStem || l.split('-').includes(gStem)) || h.includes(gb)) {
      return { kind: 'label-embedded', genuineHost: g, zh: `域名中嵌入了真实域名的标识“${gStem}”`, en: `the genuine name "${gStem}" embedded as a label` };
    }
  }
  return null;
}

export interface TokenReason {
  token: 'siteCode' | 'icp' | 'psb' | 'conac' | 'sponsor' | 'siteName' | 'title';
  value: string;
  /** Does this token belong to the genuine site (as registered or as shown on its own page)? */
  matches: boolean;
}

export interface Attribution {
  /** The imitated site, or null when none could be named. */
  site: Pick<Site, 'code' | 'name' | 'unit' | 'urls' | 'icp' | 'psb' | 'division' | 'kind'> | null;
  score: number;
  lookalike: LookalikeMatch | null;
  tokens: TokenReason[];
  /** The ICP number shown: the genuine site's (stolen), another one, or none at all. */
  icpStatus: 'stolen' | 'other' | 'none';
  psbStatus: 'stolen' | 'other' | 'none';
  /** Reasons, in Chinese, for the dossier. */
  reasonsZh: string[];
  /** Candidates considered, best first (code and score). */
  candidates: { code: string; name: string; score: number }[];
}

const digits = (s: string | undefined | null): string => (s ?? '').replace(/\D/g, '');

export function siteHosts(site: Site): string[] {
  return [...new Set(site.urls.map((u) => new URL(u).hostname.toLowerCase()))];
}

/** Score every registered site against the reported host and the tokens its page shows; the best wins. */
export function attribute(host: string, tokens: IdentityTokens, title: string | null, registry: Registry, genuineTokens?: Map<string, IdentityTokens>): Attribution {
  const scored = registry.sites.map((site) => {
    const reasons: TokenReason[] = [];
    let score = 0;
    const shown = genuineTokens?.get(site.code);
    const lookalike = siteHosts(site)
      .map((g) => lookalikeTransformation(host, g))
      .find((m) => m !== null && m.kind !== 'same-host') ?? null;
    if (lookalike) score += lookalike.kind === 'label-embedded' ? 2 : 4;
    for (const c of tokens.siteCodes) {
      const m = c.toLowerCase() === site.code.toLowerCase();
      if (m) score += 6;
      reasons.push({ token: 'siteCode', value: c, matches: m });
    }
    for (const i of tokens.icp) {
      const m = (site.icp && digits(i) === digits(site.icp)) || (shown?.icp.some((x) => digits(x) === digits(i)) ?? false);
      if (m) score += 3;
      reasons.push({ token: 'icp', value: i, matches: !!m });
    }
    for (const p of tokens.psb) {
      const m = (site.psb && digits(p) === digits(site.psb)) || (shown?.psb.some((x) => digits(x) === digits(p)) ?? false);
      if (m) score += 3;
      reasons.push({ token: 'psb', value: p, matches: !!m });
    }
    for (const c of tokens.conac) {
      const m = shown ? shown.conac.includes(c) : c.length >= 4 && site.code.endsWith(c.slice(-4));
      if (m) score += 2;
      reasons.push({ token: 'conac', value: c, matches: m });
    }
    for (const s of tokens.sponsor) {
      const m = s.includes(site.unit) || site.unit.includes(s);
      if (m) score += 2;
      reasons.push({ token: 'sponsor', value: s, matches: m });
    }
    if (tokens.siteName) {
      const m = tokens.siteName === site.name;
      if (m) score += 2;
      reasons.push({ token: 'siteName', value: tokens.siteName, matches: m });
    }
    if (title) {
      const m = title.includes(site.name);
      if (m) score += 1;
      reasons.push({ token: 'title', value: title, matches: m });
    }
    return { site, score, reasons, lookalike };
  });
  scored.sort((a, b) => b.score - a.score || (a.site.code < b.site.code ? -1 : 1));
  const best = scored[0];
  const candidates = scored.filter((s) => s.score > 0).slice(0, 5).map((s) => ({ code: s.site.code, name: s.site.name, score: s.score }));
  if (!best || best.score < 3) {
    return { site: null, score: best?.score ?? 0, lookalike: null, tokens: [], icpStatus: tokens.icp.length ? 'other' : 'none', psbStatus: tokens.psb.length ? 'other' : 'none', reasonsZh: ['未能对应到名录中的任何网站'], candidates };
  }
  const s = best.site;
  const has = (t: TokenReason['token']): TokenReason[] => best.reasons.filter((r) => r.token === t);
  const status = (t: 'icp' | 'psb'): Attribution['icpStatus'] => (has(t).length === 0 ? 'none' : has(t).some((r) => r.matches) ? 'stolen' : 'other');
  const reasonsZh: string[] = [];
  if (best.lookalike) reasonsZh.push(`仿冒域名：${best.lookalike.zh}`);
  for (const r of best.reasons.filter((x) => x.matches)) {
    const label = { siteCode: '网站标识码', icp: 'ICP备案号', psb: '公安机关备案号', conac: '党政机关网站标识（CONAC）', sponsor: '主办单位', siteName: '网站名称（SiteName）', title: '页面标题' }[r.token];
    reasonsZh.push(`页面显示真实网站的${label}“${r.value}”`);
  }
  for (const r of best.reasons.filter((x) => !x.matches && (x.token === 'icp' || x.token === 'psb'))) {
    reasonsZh.push(`页面显示的${r.token === 'icp' ? 'ICP备案号' : '公安机关备案号'}“${r.value}”不属于该网站`);
  }
  return {
    site: { code: s.code, name: s.name, unit: s.unit, urls: s.urls, division: s.division, kind: s.kind, ...(s.icp ? { icp: s.icp } : {}), ...(s.psb ? { psb: s.psb } : {}) },
    score: best.score,
    lookalike: best.lookalike,
    tokens: best.reasons,
    icpStatus: status('icp'),
    psbStatus: status('psb'),
    reasonsZh,
    candidates,
  };
}

