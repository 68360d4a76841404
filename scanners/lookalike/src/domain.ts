/**
 * Domain names as registries see them: ASCII (punycode) and Unicode forms,
 * the public suffix and registrable domain (tldts, over the Public Suffix
 * List with its private section, so `yaan.gov.cn.com` is registrable as
 * `gov.cn.com` under CentralNic's `cn.com`), closed namespaces, and the IDN
 * rules of the Chinese registries.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { parse } from 'tldts';

/**
 * Suffixes only government, education or military bodies can register under
 * (CNNIC's 政府域名 gov.cn, edu.cn, mil.cn; CONAC's 政务 TLD). A lookalike
 * there is another public body's name: a collision, not a counterfeit.
 */
export const CLOSED_SUFFIXES: ReadonlySet<string> = new Set(['gov.cn', 'edu.cn', 'mil.cn', 'xn--zfr164b' /* 政务 */]);

/**
 * TLDs whose registries accept only ASCII letters, digits and hyphens, or
 * Chinese characters (CNNIC's .cn and .中国, CONAC's .政务 and .公益): a label
 * with Latin accents or Cyrillic can never be registered there.
 */
const CHINESE_IDN_TLDS: ReadonlySet<string> = new Set(['cn', 'xn--fiqs8s' /* 中国 */, 'xn--fiqz9s' /* 中國 */, 'xn--zfr164b' /* 政务 */, 'xn--55qw42g' /* 公益 */]);

const LDH_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const HAN_OR_LDH = /^[\p{Script=Han}a-z0-9-]+$/u;

export interface NameInfo {
  /** ASCII form, lower case: the key of a candidate and what goes into DNS queries. */
  ascii: string;
  /** Unicode form, as a browser shows it. */
  unicode: string;
  /** Public suffix (ASCII), e.g. `com.cn`, `cn.com`, `gov.cn`. */
  suffix: string;
  /** Registrable domain (ASCII): the suffix plus one label. */
  registrable: string;
  /** Under a closed namespace (gov.cn, edu.cn, mil.cn, 政务). */
  closed: boolean;
}

/** `domainToASCII`, with the fast path for names that are already ASCII. */
export function toAscii(name: string): string {
  const lower = name.toLowerCase().replace(/\.$/, '');
  return /^[a-z0-9.-]*$/.test(lower) ? lower : domainToASCII(lower);
}

export function toUnicode(ascii: string): string {
  return ascii.includes('xn--') ? domainToUnicode(ascii) : ascii;
}

/** Every label is LDH (letters, digits, hyphens; no hyphen at either end; `--` at 3-4 only for `xn--`), the name ≤ 253 octets. */
export function isHostname(ascii: string): boolean {
  if (ascii.length === 0 || ascii.length > 253) return false;
  for (const label of ascii.split('.')) {
    if (!LDH_LABEL.test(label)) return false;
    if (label[2] === '-' && label[3] === '-' && !label.startsWith('xn--')) return false;
  }
  return true;
}

/**
 * Whether a registry would accept the registrable label (Unicode) under its
 * TLD (ASCII or Unicode). The Chinese registries take ASCII or Chinese labels
 * only; elsewhere any label that IDNA accepts is taken as registrable (a
 * simplification: each registry has its own per-language tables).
 */
export function registryAccepts(label: string, tld: string): boolean {
  if (!CHINESE_IDN_TLDS.has(toAscii(tld))) return true;
  return HAN_OR_LDH.test(label.startsWith('xn--') ? domainToUnicode(label) : label);
}

/**
 * Parse a name (Unicode or ASCII). Null when it is not a host name under a
 * public suffix; `registryInvalid` when its registry would refuse it.
 */
export function nameInfo(name: string): NameInfo | null {
  const r = checkName(name);
  return typeof r === 'string' ? null : r;
}

export function checkName(name: string): NameInfo | 'invalid' | 'registryInvalid' {
  const lower = name.toLowerCase().replace(/\.$/, '');
  const p = parse(lower, { allowPrivateDomains: true, extractHostname: false, validateHostname: false });
  if (!p.domain || !p.publicSuffix) return 'invalid';
  const label = p.domain.slice(0, p.domain.length - p.publicSuffix.length - 1);
  if (!registryAccepts(label, p.publicSuffix.slice(p.publicSuffix.lastIndexOf('.') + 1))) return 'registryInvalid';
  const ascii = toAscii(lower);
  if (!ascii || !isHostname(ascii)) return 'invalid';
  const ascii7 = ascii === lower;
  return {
    ascii,
    unicode: toUnicode(ascii),
    suffix: ascii7 ? p.publicSuffix : toAscii(p.publicSuffix),
    registrable: ascii7 ? p.domain : toAscii(p.domain),
    closed: isClosed(ascii),
  };
}

/** Whether a name lies under a closed namespace, whatever the PSL's private section says. */
export function isClosed(ascii: string): boolean {
  for (const s of CLOSED_SUFFIXES) if (ascii === s || ascii.endsWith(`.${s}`)) return true;
  return false;
}

/** The registered host of a URL, lower case, without brackets or a trailing dot. */
export function hostOf(url: string): string {
  return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
}

/**
 * Provincial second-level domains of .cn (open to anyone), by the first two
 * digits of the 行政区划代码: 51 (四川) → sc.cn.
 */
export const PROVINCE_SLD: Readonly<Record<string, string>> = {
  '11': 'bj', '12': 'tj', '13': 'he', '14': 'sx', '15': 'nm', '21': 'ln', '22': 'jl', '23': 'hl',
  '31': 'sh', '32': 'js', '33': 'zj', '34': 'ah', '35': 'fj', '36': 'jx', '37': 'sd', '41': 'ha',
  '42': 'hb', '43': 'hn', '44': 'gd', '45': 'gx', '46': 'hi', '50': 'cq', '51': 'sc', '52': 'gz',
  '53': 'yn', '54': 'xz', '61': 'sn', '62': 'gs', '63': 'qh', '64': 'nx', '65': 'xj', '71': 'tw',
  '81': 'hk', '82': 'mo',
};
