import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '@govscan/testbed';
import { parseHostPort, StubResolver } from './dns.js';

let world: World;
beforeAll(async () => {
  world = await startWorld({
    hosts: [
      { name: 'www.yaan.gov.cn', dns: { a: ['127.0.0.1'], aaaa: ['::1'], caa: [{ flags: 0, tag: 'issue', value: 'ca.example' }], mx: [{ priority: 10, exchange: 'mail.yaan.gov.cn' }] } },
      { name: 'alias.yaan.gov.cn', dns: { cname: 'www.yaan.gov.cn' } },
      { name: 'v4only.yaan.gov.cn', dns: { a: ['127.0.0.1'], aaaa: [] } },
      { name: 'broken.yaan.gov.cn', dns: { rcode: 'SERVFAIL' } },
      { name: 'refused.yaan.gov.cn', dns: { rcode: 'REFUSED' } },
      { name: 'silent.yaan.gov.cn', dns: { drop: true } },
      { name: 'big.yaan.gov.cn', dns: { txt: Array.from({ length: 12 }, (_, i) => `v=record-${i}-${'x'.repeat(90)}`) } },
      { name: '*.wild.yaan.gov.cn', dns: { a: ['127.0.0.1'] } },
    ],
  });
});
afterAll(async () => world?.stop());

describe('StubResolver against a real DNS server', () => {
  const r = (): StubResolver => new StubResolver(world.resolver);

  it('answers A, AAAA, MX and CAA in presentation form', async () => {
    const a = await r().resolve('www.yaan.gov.cn', 'A');
    expect(a).toMatchObject({ status: 'ok', resolver: world.resolver, answers: [{ type: 'A', data: '127.0.0.1' }] });
    expect((await r().resolve('www.yaan.gov.cn', 'AAAA')).answers.map((x) => x.data)).toEqual(['::1']);
    expect((await r().resolve('www.yaan.gov.cn', 'MX')).answers.map((x) => x.data)).toEqual(['10 mail.yaan.gov.cn']);
    expect((await r().resolve('www.yaan.gov.cn', 'CAA')).answers.map((x) => x.data)).toEqual(['0 issue "ca.example"']);
  });

  it('follows what the server says about CNAMEs and wildcards', async () => {
    const c = await r().resolve('alias.yaan.gov.cn', 'A');
    expect(c.answers.some((x) => x.type === 'CNAME' && x.data === 'www.yaan.gov.cn')).toBe(true);
    expect((await r().resolve('anything.wild.yaan.gov.cn', 'A')).status).toBe('ok');
  });

  it('tells nxdomain from nodata', async () => {
    expect((await r().resolve('nope.yaan.gov.cn', 'A')).status).toBe('nxdomain');
    expect((await r().resolve('v4only.yaan.gov.cn', 'AAAA')).status).toBe('nodata');
  });

  it('reports SERVFAIL and REFUSED as unknowns with a reason, never as nxdomain', async () => {
    expect(await r().resolve('broken.yaan.gov.cn', 'A')).toMatchObject({ status: 'servfail', error: { code: 'ESERVFAIL' } });
    expect(await r().resolve('refused.yaan.gov.cn', 'A')).toMatchObject({ status: 'refused', error: { code: 'EREFUSED' } });
  });

  it('gives up on a silent server within its timeout, as timeout', async () => {
    const t0 = Date.now();
    const res = await r().resolve('silent.yaan.gov.cn', 'A', { timeoutMs: 400 });
    expect(res).toMatchObject({ status: 'timeout', error: { code: 'ETIMEOUT' } });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('stops at once when aborted', async () => {
    const ac = new AbortController();
    const p = r().resolve('silent.yaan.gov.cn', 'A', { timeoutMs: 10_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    expect((await p).status).toBe('timeout');
  });

  it('falls back to TCP when the UDP answer is truncated', async () => {
    const before = world.dnsQueries.filter((q) => q.name === 'big.yaan.gov.cn').length;
    const res = await r().resolve('big.yaan.gov.cn', 'TXT');
    expect(res.status).toBe('ok');
    expect(res.answers).toHaveLength(12);
    // once over UDP (truncated), once again over TCP
    expect(world.dnsQueries.filter((q) => q.name === 'big.yaan.gov.cn').length - before).toBe(2);
  });

  it('times out against a port where nothing listens', async () => {
    const res = await new StubResolver('127.0.0.1:9').resolve('www.yaan.gov.cn', 'A', { timeoutMs: 300 });
    expect(['timeout', 'error']).toContain(res.status);
  });

  it('parses HOST:PORT and refuses names', () => {
    expect(parseHostPort('127.0.0.1:5353')).toEqual({ host: '127.0.0.1', port: 5353 });
    expect(parseHostPort('[::1]:53')).toEqual({ host: '::1', port: 53 });
    expect(() => new StubResolver('dns.example:53')).toThrow(/IP address/);
    expect(() => parseHostPort('127.0.0.1:0')).toThrow(/HOST:PORT/);
  });
});
