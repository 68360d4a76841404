/**
 * Attribution of a reported site: which registered site it imitates, and why.
 * Every registered site is scored by the lookalike transformation of the host
 * and by the identity tokens the page shows; the best one wins.
 */
import type { Registry, Site } from '@govscan/core';
import { lookalikeTransformation, type LookalikeMatch } from './lookalike.js';
import { digits } from './normalize.js';
import type { IdentityToken, IdentityTokens } from './tokens.js';

export interface TokenReason {
  token: IdentityToken | 'title';
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

/** The host names of a registered site's URLs, lower-cased, once each. */
export function siteHostnames(site: Site): string[] {
  return [...new Set(site.urls.map((u) => new URL(u).hostname.toLowerCase()))];
}

/** Score every registered site against the reported host and the tokens its page shows; the best wins. */
export function attribute(host: string, tokens: IdentityTokens, title: string | null, registry: Registry, genuineTokens?: Map<string, IdentityTokens>): Attribution {
  const scored = registry.sites.map((site) => {
    const reasons: TokenReason[] = [];
    let score = 0;
    const shown = genuineTokens?.get(site.code);
    const lookalike = siteHostnames(site)
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

