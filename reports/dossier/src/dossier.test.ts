import { describe, expect, it } from 'vitest';
import type { CaseData } from '@govscan/case';
import { buildDossier, chinaTime, domainList, hostsFile, hostsToBlock, renderDocx, renderHtml, rpzZone, toXarf, xarfSchemaErrors } from './index.js';

const data = {
  schema: 'govscan-case-v1',
  id: 'CASE-20180520T013000Z-abcdef',
  createdAt: '2018-05-20T01:30:00.000Z',
  tool: { name: 'govscan', version: '0.1.0' },
  reported: { url: 'http://yaan-gov.cn/', host: 'yaan-gov.cn', unicodeHost: 'yaan-gov.cn', registrableHint: 'yaan-gov.cn' },
  config: { addressee: '四川省通信管理局', reportingUnit: '雅安市人民政府办公室', contact: { name: '张三', phone: '0835-2222222' }, police: '雅安市公安局', foundVia: '网友留言' },
  options: { resolver: 'system', allowPrivateTargets: false, chromium: 'none', tsa: null, timeoutMs: 15000, maxBytes: 1, maxRedirects: 10 },
  capture: {
    at: '2018-05-20T01:30:00.000Z',
    liveness: 'live',
    livenessZh: '仍可访问',
    dns: [{ name: 'yaan-gov.cn', type: 'A', status: 'ok', answers: [{ name: 'yaan-gov.cn', type: 'A', ttl: 300, data: '203.0.113.7' }], resolver: 'system', at: '2018-05-20T01:30:00.000Z', error: null }],
    addresses: ['203.0.113.7'],
    tls: null,
    exchanges: [
      { profile: 'desktop', hop: 0, url: 'http://yaan-gov.cn/', at: '2018-05-20T01:30:00.000Z', status: 302, location: 'http://login.yaan-gov.cn/', address: '203.0.113.7', contentType: null, server: 'nginx', bodySha256: '0'.repeat(64), bodyBytes: 0, truncated: false, error: null },
      { profile: 'desktop', hop: 1, url: 'http://login.yaan-gov.cn/', at: '2018-05-20T01:30:00.000Z', status: 200, location: null, address: '203.0.113.7', contentType: 'text/html', server: 'nginx', bodySha256: '1'.repeat(64), bodyBytes: 10, truncated: false, error: null },
    ],
    profiles: [{ profile: 'desktop', label: 'd', userAgent: 'ua', finalUrl: 'http://login.yaan-gov.cn/', status: 200, error: null, title: 't', forms: [{ action: 'http://login.yaan-gov.cn/c.php', method: 'post', fields: ['password:pwd', 'text:idcard'], collectsPassword: true }], tokens: null, bodySha256: '1'.repeat(64), page: null }],
    cloaking: { suspected: true, differences: ['x'] },
    browser: [],
    policy: { refused: false, message: null },
  },
  attribution: { site: { code: '5118000022', name: '雅安市人民政府', unit: '雅安市人民政府办公室', urls: ['https://www.yaan.gov.cn/'], division: '511800', kind: 'portal', icp: '蜀ICP备05005390号-1' }, score: 9, lookalike: { kind: 'dot-to-hyphen', genuineHost: 'www.yaan.gov.cn', zh: '把点换成连字符', en: 'dots to hyphens' }, tokens: [], icpStatus: 'stolen', psbStatus: 'none', reasonsZh: ['仿冒域名'], candidates: [] },
  genuine: null,
  harmZh: ['收集密码'],
  notCapturedZh: ['未截图'],
  evidence: [{ path: 'dns.json', sha256: '2'.repeat(64), bytes: 10, at: '2018-05-20T01:30:00.000Z', zh: 'DNS', mediaType: 'application/json' }],
  rechecks: [],
} as unknown as CaseData;

describe('the dossier', () => {
  it('shows times in UTC+8', () => {
    expect(chinaTime('2018-05-20T01:30:00.000Z')).toBe('2018年05月20日 09:30:00（UTC+8）');
  });

  it('renders HTML and .docx naming the genuine site and the counterfeit', async () => {
    const doc = buildDossier(data);
    const html = renderHtml(doc, new Map());
    for (const s of ['5118000022', 'yaan-gov.cn', '四川省通信管理局', '蜀ICP备05005390号-1', '2018年05月20日 09:30:00（UTC+8）', '停止', '收集密码']) expect(html).toContain(s);
    expect(html).not.toContain('<script');
    const docx = await renderDocx(doc, new Map());
    expect(docx.subarray(0, 2).toString()).toBe('PK');
  });

  it('writes an XARF v4 content/phishing report that validates, and the schema rejects a broken one', () => {
    const x = toXarf(data, new Map());
    expect(xarfSchemaErrors(x)).toEqual([]);
    expect(x).toMatchObject({ credential_fields: ['pwd', 'idcard'], redirect_chain: ['http://yaan-gov.cn/', 'http://login.yaan-gov.cn/'], submission_url: 'http://login.yaan-gov.cn/c.php', detection_evasion: ['user_agent_filtering'] });
    expect(xarfSchemaErrors({ ...x, category: 'messaging' }).length).toBeGreaterThan(0);
    expect(xarfSchemaErrors({ ...x, report_id: 'nope' }).length).toBeGreaterThan(0);
    const { url: _url, ...noUrl } = x;
    expect(xarfSchemaErrors(noUrl).length).toBeGreaterThan(0);
  });

  it('a site reported by its address (IPv6, or IPv4 mapped in IPv6): a valid XARF report without a domain', () => {
    for (const [url, host] of [['http://[::1]:30005/', '[::1]'], ['http://[::ffff:127.0.0.5]:30005/', '[::ffff:7f00:5]'], ['http://127.0.0.5:30005/', '127.0.0.5']] as const) {
      const x = toXarf({ ...data, reported: { url, host, unicodeHost: host, registrableHint: host } }, new Map());
      expect(xarfSchemaErrors(x), url).toEqual([]);
      expect(x.domain).toBeUndefined();
      expect(x.source_identifier).toBe(host.replace(/^\[|\]$/g, ''));
    }
  });

  it('blocks the counterfeit and its redirect targets, never a registered host', () => {
    const hosts = hostsToBlock(data, (h) => h === 'login.yaan-gov.cn');
    expect(hosts).toEqual(['yaan-gov.cn']);
    const all = hostsToBlock(data);
    expect(all).toEqual(['login.yaan-gov.cn', 'yaan-gov.cn']);
    expect(rpzZone(data, all)).toContain('*.yaan-gov.cn CNAME .');
    expect(hostsFile(data, all)).toContain('0.0.0.0 login.yaan-gov.cn');
    expect(domainList(all)).toBe('login.yaan-gov.cn\nyaan-gov.cn\n');
  });
});
