/**
 * Untwist: score observed domains (from a feed, from logs) against the whole
 * registry. A name the fuzzers generate for a site (or that sits under one,
 * like login.yaan-gov.cn) is matched exactly; any other is compared by its
 * Latin skeleton and its pinyin with every site's stems and Chinese names.
 */
import { distance } from 'fastest-levenshtein';
import type { Registry } from '@govscan/core';
import { latinSkeleton } from './confusables.js';
import { checkName, toUnicode } from './domain.js';
import type { FuzzerId } from './fuzzers.js';
import { generate, ownZones, type Candidate, type Generated } from './generate.js';
import { syllables } from './zh.js';

export interface UntwistResult {
  input: string;
  /** Unicode form; null when the input is not a host name under a public suffix. */
  domain: string | null;
  ascii: string | null;
  suffix: string | null;
  /** false: a closed namespace (gov.cn, edu.cn, mil.cn, 政务). */
  open: boolean | null;
  /** `generated`: a fuzzer makes this name (or a parent of it) for the site; `similar`: it resembles the site's names; `registered`: it is the registry's own. */
  via: 'generated' | 'similar' | 'registered' | null;
  site: { code: string; name: string } | null;
  /** The generated candidate matched (the name itself or a parent of it). */
  matched: string | null;
  fuzzers: FuzzerId[];
  /** Best similarity (0-1) of the name's skeleton with the site's stems or names. */
  similarity: number | null;
  /** 0-100: 100 for a generated name, else the similarity. */
  score: number;
}

const NOISE = new Set(['www', 'gov', 'cn', 'com', 'zf', 'zhengfu', 'portal', 'web', 'home', 'official', 'login', 'sso']);

/** The distinctive part of a name: labels below the suffix, confusables folded, noise words dropped. yаan-gov.cn.com → yaan */
export function distinctive(ascii: string, suffix: string): { latin: string; han: string } {
  const below = toUnicode(ascii.slice(0, ascii.length - suffix.length - 1));
  const parts = latinSkeleton(below.toLowerCase()).split(/[-.]/).filter(Boolean);
  const kept = parts.filter((p) => !NOISE.has(p));
  const words = (kept.length ? kept : parts).map((p) => p.replace(/(gov|govcn|zf)$/, '').replace(/^(www|gov)/, '') || p);
  const latin = words.join('').replace(/[^\p{Script=Latin}0-9]/gu, '');
  const han = words.join('').replace(/[^\p{Script=Han}]/gu, '');
  return { latin, han };
}

function sim(a: string, b: string): number {
  const max = Math.max(a.length, b.length);
  return max === 0 ? 0 : 1 - distance(a, b) / max;
}

export interface Untwister {
  generated: Generated;
  untwist(input: string): UntwistResult;
}

/** Generate once for the whole registry, then score names one by one. */
export function untwister(registry: Registry, generated: Generated = generate(registry)): Untwister {
  const byAscii = new Map<string, Candidate>();
  for (const c of generated.candidates) byAscii.set(c.ascii, c);
  const zones = ownZones(registry);
  const siteOf = new Map(registry.sites.map((s) => [s.code, s]));
  const targets = generated.profiles.map((p) => ({
    site: p.site,
    latin: [...new Set([...p.stems, ...p.departmentStems.flatMap((d) => p.cityStems.map((c) => d + c)), ...p.departmentStems.filter((d) => d.length >= 3)])],
    han: p.chineseNames,
  }));

  const untwist = (input: string): UntwistResult => {
    const raw = input.trim();
    let host = raw;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
      try {
        host = new URL(raw).hostname;
      } catch {
        host = raw;
      }
    }
    const out: UntwistResult = { input: raw, domain: null, ascii: null, suffix: null, open: null, via: null, site: null, matched: null, fuzzers: [], similarity: null, score: 0 };
    const info = checkName(host);
    if (typeof info === 'string') return out;
    Object.assign(out, { domain: info.unicode, ascii: info.ascii, suffix: toUnicode(info.suffix), open: !info.closed });
    for (let n: string | null = info.ascii; n; n = n.includes('.') ? n.slice(n.indexOf('.') + 1) : null) {
      if (zones.has(n)) {
        const site = registry.sites.find((s) => s.urls.some((u) => new URL(u).hostname.toLowerCase() === n || new URL(u).hostname.toLowerCase().endsWith(`.${n}`)));
        return { ...out, via: 'registered', site: site ? { code: site.code, name: site.name } : null, score: 0 };
      }
      const c = byAscii.get(n);
      if (c) {
        const site = siteOf.get(c.sites[0]!)!;
        return { ...out, via: 'generated', site: { code: site.code, name: site.name }, matched: toUnicode(c.ascii), fuzzers: c.fuzzers, similarity: 1, score: 100 };
      }
      if (n === info.registrable) break;
    }
    const d = distinctive(info.ascii, info.suffix);
    const pinyin = d.han ? syllables(d.han).join('') : '';
    let bestSim = 0;
    let bestSite: (typeof targets)[number]['site'] | null = null;
    for (const t of targets) {
      let s = 0;
      for (const stem of t.latin) {
        if (d.latin) s = Math.max(s, sim(d.latin, stem));
        if (pinyin) s = Math.max(s, sim(pinyin, stem));
      }
      if (d.han) for (const name of t.han) s = Math.max(s, sim(d.han, name));
      if (s > bestSim) {
        bestSim = s;
        bestSite = t.site;
      }
    }
    const similarity = Math.round(bestSim * 1000) / 1000;
    return { ...out, via: bestSite && similarity > 0 ? 'similar' : null, site: bestSite ? { code: bestSite.code, name: bestSite.name } : null, similarity, score: Math.round(100 * similarity) };
  };
  return { generated, untwist };
}

/** Lines of a feed or log: one domain (or URL) a line; `#` comments, blank lines and any CSV columns after the first ignored. */
export function parseDomainList(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const field = line.replace(/#.*$/, '').split(/[,\t ]/)[0]?.trim().replace(/^"|"$/g, '');
    if (field) out.push(field);
  }
  return out;
}
