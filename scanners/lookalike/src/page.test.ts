import { describe, expect, it } from 'vitest';
import { conacScriptUrl, encodeBody, governmentHomepage } from '@govscan/testbed';
import { emptyIdentity } from '@govscan/identity';
import { conacId, jaccard, normalizeIcp, normalizePsb, pageFeatures, parkingNameServers } from './page.js';
import { compare, type Genuine } from './triage.js';

const site = { code: '5118000022', name: '雅安市人民政府', unit: '雅安市人民政府办公室', host: 'www.yaan.gov.cn', icp: '蜀ICP备05005390号-1', psb: '川公网安备 51180002000100号' };
const html = (title: string, body: string): Buffer => Buffer.from(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`);

describe('pageFeatures', () => {
  it('reads every identity token of a government homepage', () => {
    const f = pageFeatures(Buffer.from(governmentHomepage(site)), 'text/html; charset=utf-8');
    expect(f.title).toBe('雅安市人民政府');
    expect(f.identity).toEqual({
      siteCode: ['5118000022'],
      icp: ['蜀ICP备05005390号-1'],
      psb: ['51180002000100'],
      conac: [conacId(conacScriptUrl('5118000022'))],
      siteName: ['雅安市人民政府'],
      sponsor: ['雅安市人民政府办公室'],
    });
    expect(f.identity.conac[0]).toMatch(/^\d{8}$/);
    expect(f.loginForm).toBe(false);
    expect(f.paymentForm).toBe(false);
    expect(f.parkedMarkers).toEqual([]);
  });

  it('decodes a GBK page by its charset before reading it', () => {
    const bytes = encodeBody(governmentHomepage(site), 'gbk');
    const f = pageFeatures(bytes, 'text/html; charset=gbk');
    expect(f.charset).toBe('gbk');
    expect(f.identity.sponsor).toEqual(['雅安市人民政府办公室']);
    expect(f.identity.icp).toEqual(['蜀ICP备05005390号-1']);
  });

  it('finds login and payment forms, and parking pages', () => {
    expect(pageFeatures(html('登录', '<form><input name="u"><input type="password" name="p"></form>'), null).loginForm).toBe(true);
    expect(pageFeatures(html('缴费', '<form><input name="cardNo" placeholder="银行卡号"><button>支付</button></form>'), null).paymentForm).toBe(true);
    expect(pageFeatures(html('域名出售', '<h1>此域名正在出售</h1>'), null).parkedMarkers).toEqual(['域名出售']);
    expect(pageFeatures(html('x', 'This domain may be for sale'), null).parkedMarkers).toEqual(['for sale']);
    expect(pageFeatures(html('新闻', '<p>雅安市召开会议</p>'), null).parkedMarkers).toEqual([]);
    expect(parkingNameServers(['ns1.sedoparking.com', 'ns1.yaan.gov.cn'])).toEqual(['ns:ns1.sedoparking.com']);
  });

  it('normalises record numbers, keeping the ICP site number', () => {
    expect(normalizeIcp('蜀ICP备 05005390号-1')).toBe('蜀ICP备05005390号-1');
    expect(normalizeIcp('no record')).toBeNull();
    expect(normalizePsb('川公网安备51180002000100号')).toBe('51180002000100');
    expect(conacId('https://dcs.conac.cn/js/51/000/0000/60446925/CA510000000604469250001.js')).toBe('60446925');
    expect(conacId('https://bszs.conac.cn/sitename?method=show&id=5A9B')).toBe('5A9B');
    expect(jaccard(new Set(['a', 'b']), new Set(['b', 'c']))).toBeCloseTo(1 / 3);
    expect(jaccard(new Set(), new Set())).toBeNull();
  });
});

describe('the ICP number of a lookalike', () => {
  const registered = { code: site.code, name: site.name, unit: site.unit, kind: 'portal' as const, division: '511800', urls: ['https://www.yaan.gov.cn/'], icp: site.icp };
  const genuine = (icp: string): Genuine => ({ site: registered, url: registered.urls[0]!, page: null, identity: { ...emptyIdentity(), icp: [icp] }, faviconHash: null, error: null });
  const shown = (icp: string) => pageFeatures(html('雅安', `<div class="footer">${icp}</div>`), null);

  it('is read and reported with its site number (-1)', () => {
    const page = shown('蜀ICP备05005390号-1');
    expect(page.identity.icp).toEqual(['蜀ICP备05005390号-1']);
    expect(compare(page, null, genuine(normalizeIcp(site.icp)!)).copiedValues.icp).toBe('蜀ICP备05005390号-1');
  });

  it('is a copy of the genuine one whatever site number either shows, and not of another record', () => {
    expect(compare(shown('蜀ICP备05005390号-2'), null, genuine('蜀ICP备05005390号-1')).copied).toContain('icp');
    expect(compare(shown('蜀ICP备05005390号'), null, genuine('蜀ICP备05005390号-1')).copiedValues.icp).toBe('蜀ICP备05005390号');
    expect(compare(shown('蜀ICP备05005391号-1'), null, genuine('蜀ICP备05005390号-1')).copied).not.toContain('icp');
  });
});
