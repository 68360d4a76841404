/**
 * A registered site as the fuzzers see it: its host and registrable domain,
 * the label they twist, and the stems a counterfeiter builds names from.
 */
import net from 'node:net';
import type { Registry, Site } from '@govscan/core';
import { hostOf, isClosed, nameInfo, PROVINCE_SLD, toUnicode } from './domain.js';
import { chineseNames, departmentPart, initials, placeStems, sitePlace, syllables, unique } from './zh.js';

export interface SiteProfile {
  site: Site;
  /** Primary host, ASCII: www.yaan.gov.cn */
  host: string;
  /** yaan.gov.cn */
  registrable: string;
  /** gov.cn (ASCII) */
  suffix: string;
  suffixUnicode: string;
  /** The registrable label: yaan */
  label: string;
  /** What stands before the registrable domain in the host: www, jyj, '' */
  sub: string;
  closed: boolean;
  /** Suffixes dnstwist's label fuzzers use: the site's own, plus cn and com when it is closed. */
  labelSuffixes: string[];
  /** Pinyin syllables of the place (雅安 → ya, an) and of its level (市 → shi). */
  placeSyllables: string[];
  levelSyllables: string[];
  /** yaan, yaanshi, ya, yas, yaszf, yasrmzf, yaanzhengfu, yaanshizhengfu */
  placeStems: string[];
  /** The label first, then the place stems. */
  stems: string[];
  /** For a department: its host label and the initials of its name without the place (jyj). */
  departmentStems: string[];
  /** The city stems department forms join to: yaan, ya, yaanshi. */
  cityStems: string[];
  chineseNames: string[];
  /** Provincial .cn second level: sc */
  province: string | null;
}

/** Null when the site's primary URL is an IP address or not under a public suffix. */
export function siteProfile(site: Site, registry?: Registry): SiteProfile | null {
  const primary = site.urls[0];
  if (!primary) return null;
  const host = hostOf(primary);
  if (net.isIP(host)) return null;
  const info = nameInfo(host);
  if (!info) return null;
  const label = info.registrable.slice(0, info.registrable.length - info.suffix.length - 1);
  const sub = info.ascii === info.registrable ? '' : info.ascii.slice(0, info.ascii.length - info.registrable.length - 1);
  const closed = isClosed(info.ascii);
  const place = sitePlace(site, registry);
  const department = site.kind === 'department' || site.kind === 'other' || (sub !== '' && sub !== 'www');
  const pStems = place ? placeStems(place) : [];
  const deptName = place ? departmentPart(site.name, place) : '';
  const deptInitials = deptName ? initials(deptName) : '';
  const departmentStems = department ? unique([sub.split('.')[0] ?? '', deptInitials.length >= 2 && deptInitials.length <= 5 ? deptInitials : '']).filter((s) => s && s !== 'www') : [];
  const placeSyllables = place ? syllables(place.core) : [];
  const levelSyllables = place ? syllables(place.level) : [];
  const cityStems = unique([label, placeSyllables.join(''), place ? initials(place.core) : '', [...placeSyllables, ...levelSyllables].join('')]).filter((s) => s.length >= 2);
  const provinceCode = site.division.slice(0, 2);
  return {
    site,
    host: info.ascii,
    registrable: info.registrable,
    suffix: info.suffix,
    suffixUnicode: toUnicode(info.suffix),
    label,
    sub,
    closed,
    labelSuffixes: closed ? unique([info.suffix, 'cn', 'com']) : [info.suffix],
    placeSyllables,
    levelSyllables,
    placeStems: pStems,
    stems: unique([label, ...pStems]),
    departmentStems,
    cityStems,
    chineseNames: chineseNames(site, place, department),
    province: PROVINCE_SLD[provinceCode] ?? null,
  };
}
