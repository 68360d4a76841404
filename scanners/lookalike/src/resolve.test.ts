import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MuxResolver, StubResolver } from '@govscan/net';
import { startWorld, type World } from '@govscan/testbed';
import { parentZone, resolveNames } from './resolve.js';

const PLANTED = Array.from({ length: 200 }, (_, i) => `p${i}-gov.cn`);
const ABSENT = Array.from({ length: 200 }, (_, i) => `a${i}-gov.cn`);

let world: World;
beforeAll(async () => {
  world = await startWorld({
    hosts: [
      // a fifth of every query dropped: the hunt must retry, never conclude "nxdomain"
      ...PLANTED.map((name) => ({ name, dns: { drop: 0.2, ns: ['ns1.example.net'], a: ['127.0.0.1'] } })),
      { name: '*.cn', dns: { rcode: 'NXDOMAIN' as const, drop: 0.2 } },
      { name: 'broken-gov.com', dns: { rcode: 'SERVFAIL' as const } },
      { name: 'silent-gov.com', dns: { drop: true } },
      { name: 'mail-gov.com', dns: { mx: [{ priority: 10, exchange: 'mx.mail-gov.com' }] } },
      { name: 'alias-gov.com', dns: { cname: 'p1-gov.cn' } },
      // a wildcard zone, with a name of its own that answers differently
      { name: '*.gov.cn.top', dns: { a: ['127.0.0.1'] } },
      { name: 'own.gov.cn.top', dns: { a: ['127.0.0.2'] } },
    ],
  });
});
afterAll(async () => world?.stop());

describe('resolveNames', () => {
  it('tells exists, nxdomain and unknown apart with a fifth of the queries dropped: no planted name ends as nxdomain', async () => {
    const dns = new MuxResolver({ servers: [world.resolver], firstTryMs: 100 });
    try {
      const { results, stats } = await resolveNames([...PLANTED, ...ABSENT, 'broken-gov.com', 'silent-gov.com'], dns, { timeoutMs: 1500, retryPauseMs: 50 });
      expect(PLANTED.filter((n) => results.get(n)?.state !== 'exists')).toEqual([]);
      expect(ABSENT.filter((n) => results.get(n)?.state !== 'nxdomain')).toEqual([]);
      expect(results.get('broken-gov.com')).toMatchObject({ state: 'unknown', status: 'servfail', error: { code: 'ESERVFAIL' } });
      expect(results.get('silent-gov.com')).toMatchObject({ state: 'unknown', status: 'timeout', error: { code: 'ETIMEOUT' } });
      // unknowns were given a second pass
      expect(results.get('silent-gov.com')!.queries).toBe(2);
      expect(stats).toMatchObject({ names: 402, exists: 200, nxdomain: 200, unknown: 2 });
      expect(results.get('p0-gov.cn')).toMatchObject({ a: ['127.0.0.1'], ns: ['ns1.example.net'] });
    } finally {
      dns.close();
    }
  });

  it('records A, AAAA, CNAME, NS and MX, through a socket-per-query resolver too', async () => {
    const dns = new StubResolver(world.resolver, { retries: 3 });
    const { results } = await resolveNames(['mail-gov.com', 'alias-gov.com'], dns, { timeoutMs: 2000 });
    expect(results.get('mail-gov.com')).toMatchObject({ state: 'exists', status: 'nodata', a: [], mx: ['mx.mail-gov.com'] });
    expect(results.get('alias-gov.com')).toMatchObject({ state: 'exists', cname: ['p1-gov.cn'], a: ['127.0.0.1'] });
  });

  it('finds a wildcard with one random-label probe per parent zone, and keeps a name with its own answer apart', async () => {
    const dns = new MuxResolver({ servers: [world.resolver] });
    try {
      const names = ['yaan.gov.cn.top', 'www.yaan.gov.cn.top', 'yaanshi.gov.cn.top', 'own.gov.cn.top', 'p2-gov.cn'];
      const before = world.dnsQueries.length;
      const { results, wildcards, stats } = await resolveNames(names, dns, { timeoutMs: 2000 });
      expect(results.get('yaan.gov.cn.top')!.wildcard).toBe('gov.cn.top');
      expect(results.get('yaanshi.gov.cn.top')!.wildcard).toBe('gov.cn.top');
      // www.yaan.gov.cn.top sits below another name of the same wildcard: one zone, not two
      expect(results.get('www.yaan.gov.cn.top')!.wildcard).toBe('gov.cn.top');
      expect(wildcards.map((w) => w.zone)).toEqual(['gov.cn.top']);
      expect(results.get('own.gov.cn.top')!.wildcard).toBeNull();
      expect(results.get('p2-gov.cn')!.wildcard).toBeNull();
      expect(stats.wildcardNames).toBe(3);
      // one probe per parent zone: gov.cn.top, yaan.gov.cn.top, cn (a dropped probe is asked again)
      const probes = world.dnsQueries.slice(before).filter((q) => q.name.startsWith('gs-') && q.type === 'A');
      expect(new Set(probes.map((q) => parentZone(q.name))).size).toBe(3);
      expect(probes.length).toBeLessThanOrEqual(6);
    } finally {
      dns.close();
    }
  });

  it('stops at once when aborted, leaving the names not asked unknown', async () => {
    const dns = new MuxResolver({ servers: [world.resolver] });
    const ac = new AbortController();
    ac.abort();
    const { results } = await resolveNames(['p3-gov.cn', 'p4-gov.cn'], dns, { signal: ac.signal });
    dns.close();
    expect([...results.values()].map((r) => r.state)).toEqual(['unknown', 'unknown']);
  });
});
