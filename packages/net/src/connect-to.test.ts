import { describe, expect, it } from 'vitest';
import { applyConnectTo, parseConnectTo } from './connect-to.js';

describe('--connect-to', () => {
  it('parses curl forms, with empty parts and IPv6 brackets', () => {
    expect(parseConnectTo('www.yaan.gov.cn:443:127.0.0.1:8443')).toEqual({ host: 'www.yaan.gov.cn', port: 443, toHost: '127.0.0.1', toPort: 8443 });
    expect(parseConnectTo(':80::8080')).toEqual({ host: '', port: 80, toHost: '', toPort: 8080 });
    expect(parseConnectTo('a.cn::[::1]:')).toEqual({ host: 'a.cn', port: 0, toHost: '::1', toPort: 0 });
  });

  it('rejects malformed entries with the offending text', () => {
    expect(() => parseConnectTo('::80::8080')).toThrow(/"::80::8080"/);
    expect(() => parseConnectTo('a:99999:b:1')).toThrow(/bad port/);
    expect(() => parseConnectTo('a:1:b')).toThrow(/HOST1:PORT1:HOST2:PORT2/);
  });

  it('applies the first matching rule and keeps what is left empty', () => {
    const rules = [parseConnectTo('special.cn:443:127.0.0.2:9443'), parseConnectTo(':443::8443')];
    expect(applyConnectTo(rules, 'special.cn', 443)).toEqual({ host: '127.0.0.2', port: 9443, mapped: true });
    expect(applyConnectTo(rules, 'WWW.Yaan.gov.cn', 443)).toEqual({ host: 'WWW.Yaan.gov.cn', port: 8443, mapped: true });
    expect(applyConnectTo(rules, 'www.yaan.gov.cn', 80)).toEqual({ host: 'www.yaan.gov.cn', port: 80, mapped: false });
  });
});
