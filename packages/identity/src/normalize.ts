/**
 * Normal forms and comparisons of identity tokens: ICP 备案号 (its site number
 * `-N` kept), 公网安备号 (digits), the CONAC badge id, and NFKC text.
 */
import type { IdentityToken } from './tokens.js';

/** NFKC: full-width digits, letters, colons and spaces (５１１８…, ＩＣＰ, ：, U+3000) read as their ASCII forms. */
export function nfkc(s: string): string {
  return s.normalize('NFKC');
}

/** <省简称>ICP备<digits>号(-<n>)?, on NFKC text; the province character is captured as written (rules judge it). */
export const ICP_PATTERN = /(\p{Script=Han})\s*ICP\s*备\s*(\d(?: ?\d)*)\s*号(?:\s*-\s*(\d+))?/giu;

export interface IcpNumber {
  /** The province abbreviation, as written (蜀, 川, 京 …). */
  province: string;
  /** The record (subject) number. */
  record: string;
  /** The site number after the record (`-1`), or null when none is shown. */
  site: string | null;
}

/** The digits of a text, in order. */
export const digits = (s: string): string => s.replace(/\D/g, '');

/** One match of `ICP_PATTERN` in parts. */
export function icpFromMatch(m: RegExpMatchArray): IcpNumber {
  return { province: m[1]!, record: digits(m[2]!), site: m[3] ?? null };
}

/** `蜀ICP备05005390号-1` (the site number, when there is one, kept). */
export function formatIcp(n: IcpNumber): string {
  return `${n.province}ICP备${n.record}号${n.site !== null ? `-${n.site}` : ''}`;
}

/** The first ICP number in a text (spacing, full-width forms and case as they come), or null. */
export function parseIcp(s: string): IcpNumber | null {
  const m = new RegExp(ICP_PATTERN.source, 'iu').exec(nfkc(s));
  return m ? icpFromMatch(m) : null;
}

/** 蜀ICP备 05005390号-1 → 蜀ICP备05005390号-1; null when the text holds no ICP number. */
export function normalizeIcp(s: string): string | null {
  const n = parseIcp(s);
  return n ? formatIcp(n) : null;
}

/** The record an ICP number belongs to, without the site number: 蜀ICP备05005390号-1 → 蜀ICP备05005390号. */
export function icpRecord(s: string): string | null {
  const n = parseIcp(s);
  return n ? formatIcp({ ...n, site: null }) : null;
}

const squash = (s: string): string => nfkc(s).replace(/\s+/g, '').toLowerCase();

/**
 * Does the ICP number a page shows match the registered one? Their records
 * match, and so does the site number when the page shows one. Numbers that
 * cannot be read compare as text.
 */
export function icpMatches(shown: string, registered: string): boolean {
  const a = parseIcp(shown);
  const b = parseIcp(registered);
  if (!a || !b) return squash(shown) === squash(registered);
  return a.province === b.province && a.record === b.record && (a.site === null || a.site === b.site);
}

/**
 * Do two values of one token name the same thing? ICP numbers when their
 * records are the same (a copied number is recognised whatever site number
 * follows it); every other token when the values are equal.
 */
export function sameToken(token: IdentityToken, a: string, b: string): boolean {
  if (a === b) return true;
  if (token !== 'icp') return false;
  const record = icpRecord(a);
  return record !== null && record === icpRecord(b);
}

/** 川公网安备 51180002000100号 → 51180002000100; a bare number of ten or more digits is taken as it is. */
export function normalizePsb(s: string): string | null {
  const t = nfkc(s);
  const m = /公网安备\s*(\d{10,})\s*号?/u.exec(t);
  if (m) return m[1]!;
  return /^\s*\d{10,}\s*$/.test(t) ? t.trim() : null;
}

/**
 * The CONAC badge id (党政机关网站标识) out of one of its URLs, or null:
 *
 * - the badge script's path, `dcs.conac.cn/js/51/000/0000/60446925/CA510000000604469250001.js`;
 * - the script's file name alone, `CA` + province + seven digits + id + four digits `.js`;
 * - the badge's link, `bszs.conac.cn/sitename?method=show&id=5A9B…`.
 */
export function conacId(url: string): string | null {
  const path = /\/js\/\d+\/\d+\/\d+\/(\d+)\//.exec(url);
  if (path) return path[1]!;
  const file = /(?:^|\/)CA\d{9}(\d{6,})\d{4}\.js(?:[?#]|$)/i.exec(url);
  if (file) return file[1]!;
  const query = /[?&]id=([0-9A-Za-z]+)/.exec(url);
  if (query) return query[1]!;
  return null;
}
