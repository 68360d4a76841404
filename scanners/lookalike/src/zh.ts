/**
 * What a counterfeiter makes of a Chinese site name: the place (雅安市), its
 * pinyin (yaan, yaanshi), initials (ya, yas, yaszf), fuzzy-pinyin slips
 * (an/ang, n/l, z/zh …) and the Chinese names themselves (雅安政府).
 */
import { pinyin } from 'pinyin-pro';
import type { Registry, Site } from '@govscan/core';

export interface Place {
  /** 雅安 */
  core: string;
  /** 市, 县, 区, 州 or '' */
  level: string;
}

const LEVELS = ['自治州', '自治县', '市', '县', '区', '州', '旗', '盟'];
const PROVINCE_PREFIX = /^(四川省?|云南省?|贵州省?|重庆市?|北京市?|上海市?|天津市?)/;

/** The place at the start of a name: 雅安市人民政府 → {雅安, 市}. */
export function placeOf(name: string): Place | null {
  const n = name.replace(PROVINCE_PREFIX, '');
  for (let len = 2; len <= 4 && len < n.length; len++) {
    for (const level of LEVELS) {
      if (n.startsWith(level, len)) return { core: n.slice(0, len), level };
    }
  }
  return null;
}

/**
 * The place a site belongs to: from its own name, else from the portal of
 * its division (or of its city, the division's first four digits + 00).
 */
export function sitePlace(site: Site, registry: Registry | undefined): Place | null {
  const own = placeOf(site.name) ?? placeOf(site.unit);
  if (own) return own;
  const portals = (registry?.sites ?? []).filter((s) => s.kind === 'portal' || s.kind === 'county-portal');
  const same = portals.find((s) => s.division === site.division) ?? portals.find((s) => s.division === `${site.division.slice(0, 4)}00`);
  return same ? placeOf(same.name) : null;
}

/** What is left of a department's name once the place (and 人民政府) is taken off: 雅安市教育局 → 教育局. */
export function departmentPart(name: string, place: Place | null): string {
  let n = name.replace(PROVINCE_PREFIX, '');
  if (place && n.startsWith(place.core)) n = n.slice(place.core.length);
  if (place && n.startsWith(place.level)) n = n.slice(place.level.length);
  return n.replace(/^人民政府/, '');
}

export function syllables(text: string): string[] {
  return pinyin(text, { toneType: 'none', type: 'array', nonZh: 'removed', v: true }).map((s) => s.toLowerCase().replace(/[^a-z]/g, '')).filter(Boolean);
}

export function initials(text: string): string {
  return syllables(text).map((s) => s[0]).join('');
}

/**
 * ASCII stems of a place, the forms counterfeiters build names from:
 * yaan, yaanshi, ya, yas, yaszf, yasrmzf, yaanzhengfu, yaanshizhengfu.
 */
export function placeStems(place: Place): string[] {
  const core = syllables(place.core).join('');
  const withLevel = syllables(place.core + place.level).join('');
  return unique([
    core,
    withLevel,
    initials(place.core),
    initials(place.core + place.level),
    initials(`${place.core}${place.level}政府`),
    initials(`${place.core}${place.level}人民政府`),
    `${core}zhengfu`,
    `${withLevel}zhengfu`,
  ]).filter((s) => s.length >= 2);
}

/** Fuzzy-pinyin pairs (模糊音) that speakers of south-western Mandarin and others merge. */
const FUZZY_FINALS: [string, string][] = [['ang', 'an'], ['eng', 'en'], ['ing', 'in']];
const FUZZY_INITIALS: [string, string][] = [['zh', 'z'], ['ch', 'c'], ['sh', 's'], ['n', 'l'], ['f', 'h']];

function swapsOf(syllable: string): string[] {
  const out: string[] = [];
  for (const [long, short] of FUZZY_FINALS) {
    if (syllable.endsWith(long)) out.push(syllable.slice(0, -long.length) + short);
    else if (syllable.endsWith(short)) out.push(syllable.slice(0, -short.length) + long);
  }
  for (const [a, b] of FUZZY_INITIALS) {
    if (syllable.startsWith(a)) out.push(b + syllable.slice(a.length));
    else if (syllable.startsWith(b)) out.push(a + syllable.slice(b.length));
  }
  return out;
}

/** Every spelling with one syllable swapped for its fuzzy-pinyin twin: [ya, an] → yaang; [lu, shan] → nushan, lusan, lushang. */
export function fuzzyPinyin(sylls: string[]): string[] {
  const out: string[] = [];
  sylls.forEach((s, i) => {
    for (const alt of swapsOf(s)) out.push([...sylls.slice(0, i), alt, ...sylls.slice(i + 1)].join(''));
  });
  const original = sylls.join('');
  return unique(out).filter((x) => x !== original);
}

/** The Chinese names a counterfeiter would register as IDNs: 雅安市人民政府, 雅安市政府, 雅安政府, 雅安市, 雅安 (departments: 雅安教育局). */
export function chineseNames(site: Site, place: Place | null, department: boolean): string[] {
  const names = [site.name];
  if (place) {
    if (department) {
      const dept = departmentPart(site.name, place);
      if (dept) names.push(`${place.core}${dept}`, `${place.core}${place.level}${dept}`);
    } else {
      names.push(`${place.core}${place.level}政府`, `${place.core}政府`, `${place.core}${place.level}`, place.core);
    }
  }
  return unique(names.filter((n) => n.length >= 2));
}

export function unique<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}
