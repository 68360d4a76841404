import type { Registry, Site } from '@govscan/core';
import { describe, expect, it } from 'vitest';
import { attribute, siteHostnames } from './attribution.js';
import type { IdentityTokens } from './tokens.js';

const portal: Site = { code: '5118000022', name: '雅安市人民政府', unit: '雅安市人民政府办公室', kind: 'portal', division: '511800', urls: ['https://www.yaan.gov.cn/', 'http://WWW.yaan.gov.cn/index.html'], icp: '蜀ICP备05005390号-1', psb: '川公网安备 51180002000100号' };
const edu: Site = { code: '5118000025', name: '雅安市教育局', unit: '雅安市教育局', kind: 'department', division: '511800', urls: ['http://jyj.yaan.gov.cn/'], icp: '蜀ICP备13290659号', psb: '川公网安备 51180002000184号' };
const registry: Registry = { file: 'sites.yaml', sites: [portal, edu] };
const none: IdentityTokens = { siteCodes: [], icp: [], psb: [], conac: [], sponsor: [], siteName: null, siteDomain: null };

describe('attribute', () => {
  it('names the imitated site from the host and the tokens the page shows, with its reasons', () => {
    const a = attribute('www.yaan.gov.cn.com', { ...none, siteCodes: ['5118000022'], icp: ['蜀ICP备05005390号-1'], psb: ['川公网安备 51180002000184号'], sponsor: ['雅安市人民政府办公室'] }, '雅安市人民政府', registry);
    expect(a.site?.code).toBe('5118000022');
    expect(a.lookalike?.kind).toBe('suffix-appended');
    expect(a.score).toBe(4 + 6 + 3 + 2 + 1);
    expect(a.icpStatus).toBe('stolen');
    expect(a.psbStatus).toBe('other');
    expect(a.reasonsZh[0]).toMatch(/^仿冒域名：/);
    expect(a.reasonsZh).toContain('页面显示的公安机关备案号“川公网安备 51180002000184号”不属于该网站');
    expect(a.candidates[0]).toEqual({ code: '5118000022', name: '雅安市人民政府', score: 16 });
  });

  it('compares CONAC ids with what the genuine page shows, when it was read', () => {
    const shown = new Map([['5118000025', { ...none, conac: ['60446925'] }]]);
    const a = attribute('jyj-yaan.com', { ...none, conac: ['60446925'], sponsor: ['雅安市教育局'] }, null, registry, shown);
    expect(a.site?.code).toBe('5118000025');
    expect(a.tokens).toEqual(expect.arrayContaining([{ token: 'conac', value: '60446925', matches: true }]));
  });

  it('names no site when nothing ties the page to one', () => {
    const a = attribute('www.example.org', { ...none, icp: ['京ICP备12345678号'] }, '欢迎', registry);
    expect(a).toMatchObject({ site: null, lookalike: null, icpStatus: 'other', psbStatus: 'none', reasonsZh: ['未能对应到名录中的任何网站'] });
  });

  it('lists a site’s hosts once, lower-cased', () => {
    expect(siteHostnames(portal)).toEqual(['www.yaan.gov.cn']);
  });
});
