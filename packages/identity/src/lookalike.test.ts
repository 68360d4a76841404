import { domainToASCII } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lookalikeTransformation, skeleton } from './lookalike.js';

describe('lookalikeTransformation', () => {
  it('names the lookalike transformation of a domain', () => {
    expect(lookalikeTransformation('www.yaan.gov.cn.com', 'www.yaan.gov.cn')?.kind).toBe('suffix-appended');
    expect(lookalikeTransformation('yaan-gov.cn', 'www.yaan.gov.cn')?.kind).toBe('dot-to-hyphen');
    expect(lookalikeTransformation('www.yaan.com.cn', 'www.yaan.gov.cn')?.kind).toBe('tld-swap');
    expect(lookalikeTransformation('www.yaam.gov.cn', 'www.yaan.gov.cn')?.kind).toBe('typo');
    expect(lookalikeTransformation(domainToASCII('y\u0430an.gov.cn'), 'yaan.gov.cn')?.kind).toBe('homoglyph');
    expect(lookalikeTransformation('www.example.org', 'www.yaan.gov.cn')).toBeNull();
  });

  it('knows the registered host itself and an embedded genuine name, and says what was done in words', () => {
    expect(lookalikeTransformation('WWW.YAAN.GOV.CN.', 'www.yaan.gov.cn')?.kind).toBe('same-host');
    const m = lookalikeTransformation('yaan.login-portal.net', 'www.yaan.gov.cn');
    expect(m).toMatchObject({ kind: 'label-embedded', genuineHost: 'www.yaan.gov.cn' });
    expect(m!.zh).toContain('yaan');
  });
});

describe('skeleton', () => {
  it('maps look-alike letters and full-width forms to the ASCII they imitate', () => {
    expect(skeleton(domainToASCII('y\u0430an.gov.cn'))).toBe('yaan.gov.cn');
    expect(skeleton('ＹＡＡＮ.gov.cn')).toBe('yaan.gov.cn');
  });
});
