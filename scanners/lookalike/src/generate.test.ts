import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRegistry } from '@govscan/core';
import { latinSkeleton, mixedScriptLookalikes } from './confusables.js';
import { checkName, isClosed } from './domain.js';
import { DNSTWIST_FUZZERS, FUZZER_IDS, GOVERNMENT_FUZZERS } from './fuzzers.js';
import { generate } from './generate.js';
import { siteProfile } from './profile.js';
import { fuzzyPinyin, placeOf, placeStems, syllables } from './zh.js';

const yaan = parseRegistry(readFileSync(new URL('../../../examples/yaan/registry.yaml', import.meta.url), 'utf8'), 'registry.yaml');
const portal = yaan.sites.find((s) => s.code === '5118000022')!;
const jyj = yaan.sites.find((s) => s.urls[0]!.includes('jyj.'))!;

/** The eleven realistic counterfeit names of the issue that dnstwist does not generate. */
const ELEVEN = ['yaan-gov.cn', 'yaan.gov.cn.com', 'yaangov.com', 'gov-yaan.cn', 'www-yaan-gov-cn.com', 'yaan.gov.cn.cc', 'yagov.cn', 'yaan-gov.com.cn', 'jyj-yaan-gov.cn', 'yaanshi.gov.cn.net', 'yаan-gov.com' /* Cyrillic а */];

describe('generation for yaan.gov.cn', () => {
  const g = generate(yaan, [portal, jyj]);
  const byName = new Map(g.candidates.map((c) => [c.unicode, c]));

  it('generates the eleven realistic counterfeit names, each from a government-specific fuzzer', () => {
    for (const n of ELEVEN) expect(byName.get(n), n).toBeDefined();
    expect(byName.get('yaan-gov.cn')!.fuzzers).toContain('gov-joined');
    expect(byName.get('yaan.gov.cn.com')!.fuzzers).toContain('suffix-spoof');
    expect(byName.get('yagov.cn')!.fuzzers).toContain('gov-joined');
    expect(byName.get('yaan-gov.com.cn')!.fuzzers).toContain('open-sld');
    expect(byName.get('jyj-yaan-gov.cn')).toMatchObject({ fuzzers: ['department'], sites: [jyj.code] });
    expect(byName.get('yаan-gov.com')).toMatchObject({ ascii: 'xn--yan-gov-2fg.com', fuzzers: ['mixed-script'] });
    // (dnstwist itself finds none of them: test/bench/hunt measures that against the dnstwist binary)
  });

  it('records for each candidate its fuzzers, sites, Unicode and punycode forms, suffix and registrable domain', () => {
    expect(byName.get('yaan-gov.cn')).toMatchObject({ ascii: 'yaan-gov.cn', suffix: 'cn', registrable: 'yaan-gov.cn', open: true, closed: false, sites: [portal.code, jyj.code] });
    // CentralNic's cn.com is a public suffix of the PSL's private section: the counterfeiter registers gov.cn.com
    expect(byName.get('yaan.gov.cn.com')).toMatchObject({ suffix: 'cn.com', registrable: 'gov.cn.com', open: true });
    expect(byName.get('雅安政府.com')).toMatchObject({ ascii: 'xn--49s84ev7h4x1d.com', fuzzers: ['chinese-idn'] });
    expect(byName.get('雅安市人民政府.中国')).toMatchObject({ suffix: 'xn--fiqs8s', open: true });
  });

  it('keeps names under closed namespaces apart as collisions (gov.cn, 政务), not as threats', () => {
    expect(byName.get('yan.gov.cn')).toMatchObject({ closed: true, open: false, fuzzers: expect.arrayContaining(['omission']) });
    expect(byName.get('雅安政府.政务')).toMatchObject({ closed: true, open: false });
    expect(byName.get('yaanshi.gov.cn')).toMatchObject({ closed: true, fuzzers: expect.arrayContaining(['pinyin']) });
    expect(isClosed('a.edu.cn') && isClosed('a.mil.cn') && !isClosed('gov.cn.com')).toBe(true);
  });

  it('drops IDNs their registry refuses (Latin accents or Cyrillic under .cn) and the registry’s own names', () => {
    expect([...byName.keys()].filter((n) => /\.(cn|中国|政务|公益)$/.test(n) && /[^\p{Script=Han}a-z0-9.-]/u.test(n))).toEqual([]);
    expect(checkName('yáan.gov.cn')).toBe('registryInvalid');
    expect(checkName('yаan.cn')).toBe('registryInvalid');
    expect(checkName('雅安.cn')).toMatchObject({ ascii: 'xn--49s719k.cn' });
    expect(checkName('yáan.com')).toMatchObject({ ascii: 'xn--yan-ela.com' });
    // accented homoglyphs under gov.cn are what dnstwist mostly makes; here none survives, ASCII ones do
    expect(byName.get('yaam.gov.cn') ?? byName.get('yarn.gov.cn') ?? byName.get('yaai.gov.cn')).toBeDefined();
    expect(byName.has('yaan.gov.cn')).toBe(false);
    expect(byName.has('www.yaan.gov.cn')).toBe(false);
    expect([...byName.keys()].some((n) => n.endsWith('.yaan.gov.cn'))).toBe(false);
    expect(g.stats.ownZone).toBeGreaterThan(0);
  });

  it('has every dnstwist fuzzer and the government-specific ones in its table', () => {
    expect(DNSTWIST_FUZZERS).toEqual(['addition', 'bitsquatting', 'cyrillic', 'homoglyph', 'hyphenation', 'insertion', 'omission', 'plural', 'repetition', 'replacement', 'subdomain', 'transposition', 'vowel-swap', 'dictionary', 'tld-swap', 'various']);
    expect(GOVERNMENT_FUZZERS).toEqual(['gov-joined', 'suffix-spoof', 'open-sld', 'department', 'pinyin', 'fuzzy-pinyin', 'chinese-idn', 'mixed-script']);
    const seen = new Set(g.candidates.flatMap((c) => c.fuzzers));
    // dnstwist's cyrillic fuzzer only writes labels whose every letter has a Cyrillic twin (not yaan: n has none)
    expect(FUZZER_IDS.filter((f) => !seen.has(f))).toEqual(['cyrillic']);
    const coca = parseRegistry('version: 1\nsites:\n  - { code: "5118000099", name: 测试网, unit: 测试, kind: other, division: "511800", urls: [https://www.coca.gov.cn/] }\n', 'r.yaml');
    const c = generate(coca, coca.sites, { fuzzers: ['cyrillic'] }).candidates.map((x) => x.unicode);
    expect(c).toEqual(['соса.com']); // under gov.cn and .cn the registry refuses Cyrillic
  });

  it('follows dnstwist on the label: yaan → yan, yaam, ayan, yaan-gov.cn via "various"', () => {
    const d = generate(yaan, [portal], { fuzzers: ['omission', 'transposition', 'various', 'addition'] });
    const names = new Set(d.candidates.map((c) => c.unicode));
    for (const n of ['yan.gov.cn', 'yaa.gov.cn', 'ayan.gov.cn', 'yana.gov.cn', 'yaan.cn', 'yaangov.cn', 'wwwyaan.gov.cn', 'www-yaan.gov.cn', 'yaanx.gov.cn', 'yaanx.com']) expect(names.has(n), n).toBe(true);
  });

  it('is the same on every run, and merges what several sites generate', () => {
    const again = generate(yaan, [portal, jyj]);
    expect(again.candidates.map((c) => `${c.ascii} ${c.fuzzers.join(',')} ${c.sites.join(',')}`)).toEqual(g.candidates.map((c) => `${c.ascii} ${c.fuzzers.join(',')} ${c.sites.join(',')}`));
    expect(new Set(g.candidates.map((c) => c.ascii)).size).toBe(g.candidates.length);
  });
});

describe('Chinese names', () => {
  it('finds the place, its pinyin stems and fuzzy-pinyin slips', () => {
    expect(placeOf('雅安市人民政府')).toEqual({ core: '雅安', level: '市' });
    expect(placeOf('四川雅安经济开发区')).toBeNull();
    expect(placeStems({ core: '雅安', level: '市' })).toEqual(['yaan', 'yaanshi', 'ya', 'yas', 'yaszf', 'yasrmzf', 'yaanzhengfu', 'yaanshizhengfu']);
    expect(syllables('荥经县')).toEqual(['ying', 'jing', 'xian']);
    expect(fuzzyPinyin(['lu', 'shan'])).toEqual(expect.arrayContaining(['nushan', 'lusan', 'lushang']));
    expect(fuzzyPinyin(['ya', 'an'])).toEqual(['yaang']);
    // a site without a place in its name borrows its city's
    const kfq = yaan.sites.find((s) => s.name.startsWith('四川雅安芦天宝'))!;
    expect(siteProfile(kfq, yaan)!.placeStems[0]).toBe('yaan');
    expect(siteProfile(jyj, yaan)).toMatchObject({ departmentStems: ['jyj'], cityStems: ['yaan', 'ya', 'yaanshi'] });
  });
});

describe('confusables', () => {
  it('lists Cyrillic, Greek and Armenian letters that pass for Latin ones, from UTS #39', () => {
    const t = mixedScriptLookalikes();
    expect(t.get('a')).toEqual(expect.arrayContaining(['а', 'α']));
    expect(t.get('o')).toEqual(expect.arrayContaining(['о', 'ο', 'օ']));
    expect(latinSkeleton('yаan-gоv')).toBe('yaan-gov');
    expect(latinSkeleton('yáan')).toBe('yaan');
  });
});
