import { describe, expect, it } from 'vitest';
import { classifyAddress, policyAllows } from './policy.js';

describe('address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.9.9.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['fd00::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::ffff:10.0.0.1', 'private'],
    ['1.2.4.8', 'public'],
    ['2400:3200::1', 'public'],
  ])('%s is %s', (addr, cls) => {
    expect(classifyAddress(addr)).toBe(cls);
  });

  it('lets registered sites be anywhere, and keeps others out of private space unless allowed', () => {
    expect(policyAllows('10.0.0.5', true, false).allowed).toBe(true);
    expect(policyAllows('10.0.0.5', false, false)).toEqual({ allowed: false, class: 'private' });
    expect(policyAllows('10.0.0.5', false, true).allowed).toBe(true);
    expect(policyAllows('1.2.4.8', false, false).allowed).toBe(true);
  });

  it('refuses what is not an address', () => {
    expect(() => classifyAddress('example.cn')).toThrow(/not an IP address/);
  });
});
