/**
 * The fuzzers: small functions that turn a registered site into names a
 * counterfeiter might register. First dnstwist's sixteen (same algorithms,
 * applied to the registrable label), then the government-specific ones that
 * dnstwist misses: dash and joined forms, suffix spoofs, open .cn second
 * levels, department forms, pinyin, fuzzy pinyin, Chinese IDNs and
 * mixed-script homoglyphs from the Unicode confusables.
 *
 * A fuzzer emits full names (Unicode or ASCII); the generator normalises,
 * validates and de-duplicates them.
 */
import { mixedScriptLookalikes } from './confusables.js';
import { fuzzyPinyin, unique } from './zh.js';
import type { SiteProfile } from './profile.js';

export type Emit = (name: string) => void;
export type Fuzzer = (p: SiteProfile, emit: Emit) => void;

// ---------------------------------------------------------------------------
// Data. dnstwist's tables are those of dnstwist 20221213 (Apache-2.0).

const QWERTY: Record<string, string> = {
  '1': '2q', '2': '3wq1', '3': '4ew2', '4': '5re3', '5': '6tr4', '6': '7yt5', '7': '8uy6', '8': '9iu7', '9': '0oi8', '0': 'po9',
  q: '12wa', w: '3esaq2', e: '4rdsw3', r: '5tfde4', t: '6ygfr5', y: '7uhgt6', u: '8ijhy7', i: '9okju8', o: '0plki9', p: 'lo0',
  a: 'qwsz', s: 'edxzaw', d: 'rfcxse', f: 'tgvcdr', g: 'yhbvft', h: 'ujnbgy', j: 'ikmnhu', k: 'olmji', l: 'kop',
  z: 'asx', x: 'zsdc', c: 'xdfv', v: 'cfgb', b: 'vghn', n: 'bhjm', m: 'njk',
};
const QWERTZ: Record<string, string> = {
  '1': '2q', '2': '3wq1', '3': '4ew2', '4': '5re3', '5': '6tr4', '6': '7zt5', '7': '8uz6', '8': '9iu7', '9': '0oi8', '0': 'po9',
  q: '12wa', w: '3esaq2', e: '4rdsw3', r: '5tfde4', t: '6zgfr5', z: '7uhgt6', u: '8ijhz7', i: '9okju8', o: '0plki9', p: 'lo0',
  a: 'qwsy', s: 'edxyaw', d: 'rfcxse', f: 'tgvcdr', g: 'zhbvft', h: 'ujnbgz', j: 'ikmnhu', k: 'olmji', l: 'kop',
  y: 'asx', x: 'ysdc', c: 'xdfv', v: 'cfgb', b: 'vghn', n: 'bhjm', m: 'njk',
};
const AZERTY: Record<string, string> = {
  '1': '2a', '2': '3za1', '3': '4ez2', '4': '5re3', '5': '6tr4', '6': '7yt5', '7': '8uy6', '8': '9iu7', '9': '0oi8', '0': 'po9',
  a: '2zq1', z: '3esqa2', e: '4rdsz3', r: '5tfde4', t: '6ygfr5', y: '7uhgt6', u: '8ijhy7', i: '9okju8', o: '0plki9', p: 'lo0m',
  q: 'zswa', s: 'edxwqz', d: 'rfcxse', f: 'tgvcdr', g: 'yhbvft', h: 'ujnbgy', j: 'iknhu', k: 'olji', l: 'kopm', m: 'lp',
  w: 'sxq', x: 'wsdc', c: 'xdfv', v: 'cfgb', b: 'vghn', n: 'bhj',
};
const KEYBOARDS = [QWERTY, QWERTZ, AZERTY];

const GLYPHS: Record<string, string[]> = {
  '0': ['o'], '1': ['l', 'i'], '2': ['ƻ'], '3': ['8'], '5': ['ƽ'], '6': ['9'], '8': ['3'], '9': ['6'],
  a: ['à', 'á', 'à', 'â', 'ã', 'ä', 'å', 'ɑ', 'ạ', 'ǎ', 'ă', 'ȧ', 'ą', 'ə'],
  b: ['d', 'lb', 'ʙ', 'ɓ', 'ḃ', 'ḅ', 'ḇ', 'ƅ'],
  c: ['e', 'ƈ', 'ċ', 'ć', 'ç', 'č', 'ĉ', 'ᴄ'],
  d: ['b', 'cl', 'dl', 'ɗ', 'đ', 'ď', 'ɖ', 'ḑ', 'ḋ', 'ḍ', 'ḏ', 'ḓ'],
  e: ['c', 'é', 'è', 'ê', 'ë', 'ē', 'ĕ', 'ě', 'ė', 'ẹ', 'ę', 'ȩ', 'ɇ', 'ḛ'],
  f: ['ƒ', 'ḟ'],
  g: ['q', 'ɢ', 'ɡ', 'ġ', 'ğ', 'ǵ', 'ģ', 'ĝ', 'ǧ', 'ǥ'],
  h: ['lh', 'ĥ', 'ȟ', 'ħ', 'ɦ', 'ḧ', 'ḩ', 'ⱨ', 'ḣ', 'ḥ', 'ḫ', 'ẖ'],
  i: ['1', 'l', 'í', 'ì', 'ï', 'ı', 'ɩ', 'ǐ', 'ĭ', 'ỉ', 'ị', 'ɨ', 'ȋ', 'ī', 'ɪ'],
  j: ['ʝ', 'ǰ', 'ɉ', 'ĵ'],
  k: ['lk', 'ik', 'lc', 'ḳ', 'ḵ', 'ⱪ', 'ķ', 'ᴋ'],
  l: ['1', 'i', 'ɫ', 'ł'],
  m: ['n', 'nn', 'rn', 'rr', 'ṁ', 'ṃ', 'ᴍ', 'ɱ', 'ḿ'],
  n: ['m', 'r', 'ń', 'ṅ', 'ṇ', 'ṉ', 'ñ', 'ņ', 'ǹ', 'ň', 'ꞑ'],
  o: ['0', 'ȯ', 'ọ', 'ỏ', 'ơ', 'ó', 'ö', 'ᴏ'],
  p: ['ƿ', 'ƥ', 'ṕ', 'ṗ'],
  q: ['g', 'ʠ'],
  r: ['ʀ', 'ɼ', 'ɽ', 'ŕ', 'ŗ', 'ř', 'ɍ', 'ɾ', 'ȓ', 'ȑ', 'ṙ', 'ṛ', 'ṟ'],
  s: ['ʂ', 'ś', 'ṣ', 'ṡ', 'ș', 'ŝ', 'š', 'ꜱ'],
  t: ['ţ', 'ŧ', 'ṫ', 'ṭ', 'ț', 'ƫ'],
  u: ['ᴜ', 'ǔ', 'ŭ', 'ü', 'ʉ', 'ù', 'ú', 'û', 'ũ', 'ū', 'ų', 'ư', 'ů', 'ű', 'ȕ', 'ȗ', 'ụ'],
  v: ['ṿ', 'ⱱ', 'ᶌ', 'ṽ', 'ⱴ', 'ᴠ'],
  w: ['vv', 'ŵ', 'ẁ', 'ẃ', 'ẅ', 'ⱳ', 'ẇ', 'ẉ', 'ẘ', 'ᴡ'],
  x: ['ẋ', 'ẍ'],
  y: ['ʏ', 'ý', 'ÿ', 'ŷ', 'ƴ', 'ȳ', 'ɏ', 'ỿ', 'ẏ', 'ỵ'],
  z: ['ʐ', 'ż', 'ź', 'ᴢ', 'ƶ', 'ẓ', 'ẕ', 'ⱬ'],
};

const LATIN_TO_CYRILLIC: Record<string, string> = {
  a: 'а', b: 'ь', c: 'с', d: 'ԁ', e: 'е', g: 'ԍ', h: 'һ', i: 'і', j: 'ј', k: 'к', l: 'ӏ', m: 'м', o: 'о', p: 'р', q: 'ԛ', s: 'ѕ', t: 'т', v: 'ѵ', w: 'ԝ', x: 'х', y: 'у',
};

/** Words the dictionary fuzzer joins to the label: what Chinese government sites and their counterfeits are made of. */
export const DICTIONARY = ['gov', 'zf', 'zwfw', 'zwgk', 'xxgk', 'bsdt', 'wsbs', 'portal', 'login', 'sso', 'oa', 'mail', 'service', 'online', 'official', 'www', 'web', 'home'];

/** TLDs the tld-swap fuzzer moves the label to (cheap and popular with counterfeiters, and the Chinese ones). */
export const SWAP_TLDS = ['cn', 'com', 'net', 'org', 'cc', 'top', 'xyz', 'vip', 'info', 'co', 'io', 'me', 'biz', 'site', 'online', 'ltd', 'hk', 'com.cn', 'net.cn', 'org.cn', '中国', '公司', '网络'];

/** Open suffixes for the dash and joined forms. */
export const JOINED_SUFFIXES = ['cn', 'com', 'net', 'org', 'cc', 'top', 'vip', 'xyz', 'info'];

/** TLDs appended to a whole government name (`yaan.gov.cn.com`). */
export const SPOOF_SUFFIXES = ['com', 'cn', 'net', 'cc', 'org', 'top', 'com.cn', 'xyz', 'vip', 'info'];

/** Suffixes for Chinese-language names. 政务 is closed (government bodies only): names there are collisions. */
export const IDN_SUFFIXES = ['com', 'cn', 'net', '中国', '政务', '公益', 'com.cn'];

const DEPARTMENT_SUFFIXES = ['cn', 'com', 'net', 'com.cn'];
const PINYIN_SUFFIXES = ['cn', 'com', 'gov.cn'];
const MIXED_SUFFIXES = ['com', 'net'];

// ---------------------------------------------------------------------------
// dnstwist's fuzzers, on the registrable label (`yaan` of yaan.gov.cn), under
// its own suffix and, when that suffix is closed, under .cn and .com too (the
// counterfeiter cannot register under gov.cn and has to move).

function underLabelSuffixes(p: SiteProfile, labels: Iterable<string>, emit: Emit): void {
  for (const label of labels) for (const suffix of p.labelSuffixes) emit(`${label}.${suffix}`);
}

function* bitsquatting(d: string): Generator<string> {
  const ok = /^[a-z0-9-]$/;
  for (let i = 0; i < d.length; i++) {
    for (let mask = 1; mask < 256; mask <<= 1) {
      const b = String.fromCharCode(d.charCodeAt(i) ^ mask);
      if (ok.test(b)) yield d.slice(0, i) + b + d.slice(i + 1);
    }
  }
}

/** dnstwist's glyphs that are ASCII themselves (rn for m, 1 for l, cl for d …). */
const ASCII_GLYPHS: Record<string, string[]> = Object.fromEntries(Object.entries(GLYPHS).map(([c, gs]) => [c, gs.filter((g) => /^[a-z0-9]+$/.test(g))]));

function homoglyphMix(d: string, glyphs: Record<string, string[]>): Set<string> {
  const out = new Set<string>();
  for (let w = 1; w < d.length; w++) {
    for (let i = 0; i + w <= d.length; i++) {
      const pre = d.slice(0, i);
      const win = d.slice(i, i + w);
      const suf = d.slice(i + w);
      for (const c of new Set(win)) for (const g of glyphs[c] ?? []) out.add(pre + win.split(c).join(g) + suf);
    }
  }
  return out;
}

/** The .cn family takes no accented label: there dnstwist's accented glyphs are only computed to be refused. */
const ASCII_ONLY_TLDS = new Set(['cn', 'xn--fiqs8s', 'xn--fiqz9s', 'xn--zfr164b', 'xn--55qw42g']);

const dnstwist = {
  addition: (p, emit) => {
    const extra = [...'0123456789abcdefghijklmnopqrstuvwxyz'];
    underLabelSuffixes(p, extra.map((c) => p.label + c), emit);
  },
  bitsquatting: (p, emit) => underLabelSuffixes(p, bitsquatting(p.label), emit),
  cyrillic: (p, emit) => {
    const c = [...p.label].map((ch) => LATIN_TO_CYRILLIC[ch] ?? ch).join('');
    if ([...c].every((ch, i) => ch !== p.label[i])) underLabelSuffixes(p, [c], emit);
  },
  /**
   * dnstwist's two rounds of glyph swaps. Accented results stay under the
   * site's own suffix, as in dnstwist (and are refused there under .cn); only
   * ASCII ones (rn for m, 1 for l) move to .cn and .com: counterfeits of
   * Chinese sites are ASCII or Chinese, and mixed-script covers the rest.
   */
  homoglyph: (p, emit) => {
    const ownTld = p.suffix.slice(p.suffix.lastIndexOf('.') + 1);
    const glyphs = ASCII_ONLY_TLDS.has(ownTld) ? ASCII_GLYPHS : GLYPHS;
    const first = homoglyphMix(p.label, glyphs);
    const all = new Set(first);
    for (const r of first) for (const x of homoglyphMix(r, glyphs)) all.add(x);
    for (const label of all) {
      emit(`${label}.${p.suffix}`);
      if (/^[a-z0-9.-]+$/.test(label)) for (const suffix of p.labelSuffixes) if (suffix !== p.suffix) emit(`${label}.${suffix}`);
    }
  },
  hyphenation: (p, emit) => {
    const d = p.label;
    underLabelSuffixes(p, Array.from({ length: d.length - 1 }, (_, i) => `${d.slice(0, i + 1)}-${d.slice(i + 1)}`), emit);
  },
  insertion: (p, emit) => {
    const d = p.label;
    const out = new Set<string>();
    for (let i = 1; i < d.length - 1; i++) {
      const c = d[i]!;
      for (const kb of KEYBOARDS) for (const k of kb[c] ?? '') out.add(d.slice(0, i) + k + c + d.slice(i + 1)).add(d.slice(0, i) + c + k + d.slice(i + 1));
    }
    underLabelSuffixes(p, out, emit);
  },
  omission: (p, emit) => underLabelSuffixes(p, Array.from(p.label, (_, i) => p.label.slice(0, i) + p.label.slice(i + 1)), emit),
  plural: (p, emit) => {
    const d = p.label;
    underLabelSuffixes(p, /(s|x|z|ch|sh)$/.test(d) ? [`${d}es`] : [`${d}s`], emit);
  },
  repetition: (p, emit) => underLabelSuffixes(p, Array.from(p.label, (c, i) => p.label.slice(0, i) + c + p.label.slice(i)), emit),
  replacement: (p, emit) => {
    const d = p.label;
    const out: string[] = [];
    for (let i = 0; i < d.length; i++) for (const kb of KEYBOARDS) for (const r of kb[d[i]!] ?? '') out.push(d.slice(0, i) + r + d.slice(i + 1));
    underLabelSuffixes(p, out, emit);
  },
  subdomain: (p, emit) => {
    const d = p.label;
    const out: string[] = [];
    for (let i = 1; i < d.length - 1; i++) if (!'-.'.includes(d[i]!) && !'-.'.includes(d[i - 1]!)) out.push(`${d.slice(0, i)}.${d.slice(i)}`);
    underLabelSuffixes(p, out, emit);
  },
  transposition: (p, emit) => {
    const d = p.label;
    underLabelSuffixes(p, Array.from({ length: d.length - 1 }, (_, i) => d.slice(0, i) + d[i + 1] + d[i] + d.slice(i + 2)), emit);
  },
  'vowel-swap': (p, emit) => {
    const d = p.label;
    const out: string[] = [];
    for (let i = 0; i < d.length; i++) if ('aeiou'.includes(d[i]!)) for (const v of 'aeiou') out.push(d.slice(0, i) + v + d.slice(i + 1));
    underLabelSuffixes(p, out, emit);
  },
  dictionary: (p, emit) => {
    const d = p.label;
    const out: string[] = [];
    for (const w of DICTIONARY) if (!(d.startsWith(w) && d.endsWith(w))) out.push(`${d}-${w}`, `${d}${w}`, `${w}-${d}`, `${w}${d}`);
    underLabelSuffixes(p, out, emit);
  },
  'tld-swap': (p, emit) => {
    for (const tld of SWAP_TLDS) if (tld !== p.suffixUnicode) emit(`${p.label}.${tld}`);
  },
  various: (p, emit) => {
    const { label, suffix, sub } = p;
    if (suffix.includes('.')) {
      emit(`${label}.${suffix.slice(suffix.lastIndexOf('.') + 1)}`);
      emit(`${label}${suffix}`); // dnstwist's domain + tld, dots and all: yaangov.cn
    } else {
      emit(`${label}${suffix}.${suffix}`);
      if (suffix !== 'com') emit(`${label}-${suffix}.com`);
    }
    if (sub) {
      emit(`${sub}${label}.${suffix}`);
      emit(`${sub.replaceAll('.', '')}${label}.${suffix}`);
      emit(`${sub}-${label}.${suffix}`);
      emit(`${sub.replaceAll('.', '-')}-${label}.${suffix}`);
    }
  },
} satisfies Record<string, Fuzzer>;

// ---------------------------------------------------------------------------
// Government-specific fuzzers.

/** yaan → yaan, yaan-gov, yaangov, gov-yaan, govyaan, yaan-gov-cn, yaangovcn, www-yaan-gov-cn, www-yaan, wwwyaan, yaan-zf, yaanzf */
export function joinedForms(s: string): string[] {
  const forms = [s, `${s}-gov`, `${s}gov`, `gov-${s}`, `gov${s}`, `${s}-gov-cn`, `${s}govcn`, `www-${s}-gov-cn`, `www-${s}`, `www${s}`];
  if (!s.endsWith('zf') && !s.endsWith('zhengfu')) forms.push(`${s}-zf`, `${s}zf`);
  return forms;
}

/** For a department stem d and a city stem c: jyj-yaan-gov, jyj.yaan-gov, jyjyaan, yaan-jyj, … */
export function departmentForms(d: string, c: string): string[] {
  return [`${d}-${c}-gov`, `${d}-${c}gov`, `${d}${c}gov`, `${d}.${c}-gov`, `${d}.${c}gov`, `${d}-${c}`, `${d}${c}`, `${c}-${d}`, `${c}${d}`, `${d}-${c}-gov-cn`, `${c}-gov-${d}`];
}

const government = {
  /** Dash and joined forms of every stem (host label, pinyin, initials) under open suffixes: yaan-gov.cn, yaangov.com, gov-yaan.cn, www-yaan-gov-cn.com, yagov.cn. */
  'gov-joined': (p, emit) => {
    for (const s of p.stems) for (const f of joinedForms(s)) for (const suffix of JOINED_SUFFIXES) emit(`${f}.${suffix}`);
  },
  /** The whole government name with an open suffix appended: yaan.gov.cn.com, www.yaan.gov.cn.cc, yaanshi.gov.cn.net. */
  'suffix-spoof': (p, emit) => {
    const hosts = [p.registrable, p.host];
    if (p.closed) for (const s of p.placeStems) hosts.push(`${s}.${p.suffix}`);
    for (const h of unique(hosts)) for (const x of SPOOF_SUFFIXES) emit(`${h}.${x}`);
  },
  /** Open second levels of .cn, the provincial ones included: yaan.com.cn, yaan-gov.com.cn, yaangov.sc.cn. */
  'open-sld': (p, emit) => {
    const slds = ['com.cn', 'net.cn', 'org.cn', ...(p.province ? [`${p.province}.cn`] : [])];
    for (const s of p.stems) for (const f of [s, `${s}-gov`, `${s}gov`, `gov-${s}`]) for (const sld of slds) emit(`${f}.${sld}`);
  },
  /** A department's abbreviation joined to its city's: jyj-yaan-gov.cn, jyj.yaan-gov.cn, yaanjyj.com. */
  department: (p, emit) => {
    for (const d of p.departmentStems) for (const c of p.cityStems) for (const f of departmentForms(d, c)) for (const suffix of DEPARTMENT_SUFFIXES) emit(`${f}.${suffix}`);
  },
  /** Pinyin and initials of the Chinese name, bare (yaanshi.com, yaszf.cn) and under gov.cn, where they collide with other governments' names. */
  pinyin: (p, emit) => {
    for (const s of p.placeStems) for (const suffix of PINYIN_SUFFIXES) emit(`${s}.${suffix}`);
    for (const d of p.departmentStems) for (const c of p.cityStems) emit(`${d}${c}.gov.cn`);
  },
  /** Fuzzy-pinyin slips (an/ang, en/eng, in/ing, n/l, z/zh, c/ch, s/sh, f/h) of the place name: yaang.gov.cn, yaang-gov.cn. */
  'fuzzy-pinyin': (p, emit) => {
    const variants = unique([...fuzzyPinyin(p.placeSyllables), ...fuzzyPinyin([...p.placeSyllables, ...p.levelSyllables])]);
    for (const v of variants) {
      for (const suffix of PINYIN_SUFFIXES) emit(`${v}.${suffix}`);
      for (const f of [`${v}-gov`, `${v}gov`]) for (const suffix of ['cn', 'com']) emit(`${f}.${suffix}`);
    }
  },
  /** The Chinese names as IDNs: 雅安政府.com, 雅安市人民政府.中国, 雅安市政府.政务 (a collision: 政务 is closed), 雅安.公益. */
  'chinese-idn': (p, emit) => {
    for (const n of p.chineseNames) for (const suffix of IDN_SUFFIXES) emit(`${n}.${suffix}`);
  },
  /** One letter of the label swapped for a Cyrillic, Greek or Armenian confusable (UTS #39): yаan-gov.com with a Cyrillic а. */
  'mixed-script': (p, emit) => {
    const table = mixedScriptLookalikes();
    const bases = unique([p.label, `${p.label}-gov`, `${p.label}gov`, `gov-${p.label}`, ...p.placeStems.slice(0, 2).map((s) => `${s}-gov`)]);
    for (const base of bases) {
      for (let i = 0; i < base.length; i++) {
        for (const alt of table.get(base[i]!) ?? []) {
          const label = base.slice(0, i) + alt + base.slice(i + 1);
          for (const suffix of MIXED_SUFFIXES) emit(`${label}.${suffix}`);
        }
      }
    }
  },
} satisfies Record<string, Fuzzer>;

export const fuzzers = { ...dnstwist, ...government } satisfies Record<string, Fuzzer>;
export type FuzzerId = keyof typeof fuzzers;

/**
 * What each fuzzer reads of a profile, as a string: sites that share it (the
 * 32 departments under yaan.gov.cn share its label) share the fuzzer's output,
 * computed once.
 */
const label = (p: SiteProfile): string => `${p.label}|${p.labelSuffixes.join(',')}`;
const stems = (p: SiteProfile): string => p.stems.join(',');
export const fuzzerInputs = {
  addition: label,
  bitsquatting: label,
  cyrillic: label,
  homoglyph: label,
  hyphenation: label,
  insertion: label,
  omission: label,
  plural: label,
  repetition: label,
  replacement: label,
  subdomain: label,
  transposition: label,
  'vowel-swap': label,
  dictionary: label,
  'tld-swap': (p) => `${p.label}|${p.suffixUnicode}`,
  various: (p) => `${p.label}|${p.suffix}|${p.sub}`,
  'gov-joined': stems,
  'suffix-spoof': (p) => `${p.registrable}|${p.host}|${p.closed ? p.placeStems.join(',') : ''}`,
  'open-sld': (p) => `${stems(p)}|${p.province ?? ''}`,
  department: (p) => `${p.departmentStems.join(',')}|${p.cityStems.join(',')}`,
  pinyin: (p) => `${p.placeStems.join(',')}|${p.departmentStems.join(',')}|${p.cityStems.join(',')}`,
  'fuzzy-pinyin': (p) => `${p.placeSyllables.join(',')}|${p.levelSyllables.join(',')}`,
  'chinese-idn': (p) => p.chineseNames.join(','),
  'mixed-script': (p) => `${p.label}|${p.placeStems.slice(0, 2).join(',')}`,
} satisfies Record<FuzzerId, (p: SiteProfile) => string>;
export const FUZZER_IDS = Object.keys(fuzzers) as FuzzerId[];
export const DNSTWIST_FUZZERS = Object.keys(dnstwist) as FuzzerId[];
export const GOVERNMENT_FUZZERS = Object.keys(government) as FuzzerId[];
