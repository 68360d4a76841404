import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '@govscan/testbed';
import { MuxResolver } from './dns-mux.js';

let world: World;
let second: World;
beforeAll(async () => {
  world = await startWorld({
    hosts: [
      { name: 'www.yaan.gov.cn', dns: { a: ['127.0.0.1'], aaaa: ['::1'], mx: [{ priority: 10, exchange: 'mail.yaan.gov.cn' }] } },
      { name: 'alias.yaan.gov.cn', dns: { cname: 'www.yaan.gov.cn' } },
      { name: 'broken.yaan.gov.cn', dns: { rcode: 'SERVFAIL' } },
      { name: 'silent.yaan.gov.cn', dns: { drop: true } },
      { name: 'slow.yaan.gov.cn', dns: { delayMs: 300 } },
      { name: '*.slow.example.cn', dns: { delayMs: 200 } },
      { name: 'big.yaan.gov.cn', dns: { txt: Array.from({ length: 12 }, (_, i) => `v=record-${i}-${'x'.repeat(90)}`) } },
      // a fifth of the queries for these names go unanswered
      ...Array.from({ length: 300 }, (_, i) => ({ name: `n${i}.flaky.example.cn`, dns: { drop: 0.2 } })),
      { name: '*.flaky.example.cn', dns: { rcode: 'NXDOMAIN' as const, drop: 0.2 } },
    ],
  });
  // A second server that knows only one name, to show retries move to the next server.
  second = await startWorld({ hosts: [{ name: 'only-second.example.cn' }] });
});
afterAll(async () => {
  await world?.stop();
  await second?.stop();
});

describe('MuxResolver against a real DNS server', () => {
  it('answers records in presentation form, and tells nxdomain from nodata', async () => {
    const r = new MuxResolver({ servers: [world.resolver] });
    try {
      expect(await r.resolve('www.yaan.gov.cn', 'A')).toMatchObject({ status: 'ok', resolver: world.resolver, answers: [{ type: 'A', data: '127.0.0.1' }] });
      expect((await r.resolve('www.yaan.gov.cn', 'MX')).answers.map((x) => x.data)).toEqual(['10 mail.yaan.gov.cn']);
      expect((await r.resolve('alias.yaan.gov.cn', 'A')).answers.some((x) => x.type === 'CNAME' && x.data === 'www.yaan.gov.cn')).toBe(true);
      expect((await r.resolve('nope.yaan.gov.cn', 'A')).status).toBe('nxdomain');
      expect((await r.resolve('www.yaan.gov.cn', 'TXT')).status).toBe('nodata');
      expect(await r.resolve('broken.yaan.gov.cn', 'A')).toMatchObject({ status: 'servfail', error: { code: 'ESERVFAIL' } });
    } finally {
      r.close();
    }
  });

  it('gives up on silence within its timeout, as timeout (an unknown), after several tries', async () => {
    const r = new MuxResolver({ servers: [world.resolver], firstTryMs: 50, tries: 3 });
    const before = world.dnsQueries.filter((q) => q.name === 'silent.yaan.gov.cn').length;
    const t0 = Date.now();
    const res = await r.resolve('silent.yaan.gov.cn', 'A', { timeoutMs: 800 });
    r.close();
    expect(res).toMatchObject({ status: 'timeout', error: { code: 'ETIMEOUT' } });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(790);
    expect(Date.now() - t0).toBeLessThan(2000);
    // tries after 0, 50 and 150 ms; the last one waits until the timeout
    expect(world.dnsQueries.filter((q) => q.name === 'silent.yaan.gov.cn').length - before).toBe(3);
  });

  it('keeps listening to an early try: a slow answer settles the query even after a retry was sent', async () => {
    const r = new MuxResolver({ servers: [world.resolver], firstTryMs: 100, tries: 2 });
    const res = await r.resolve('slow.yaan.gov.cn', 'A', { timeoutMs: 2000 });
    r.close();
    expect(res.status).toBe('ok');
  });

  it('learns a slow server’s round-trip time and stops repeating queries it is about to answer', async () => {
    const r = new MuxResolver({ servers: [world.resolver], firstTryMs: 50 });
    const ask = (i: number) => r.resolve(`n${i}.slow.example.cn`, 'A', { timeoutMs: 3000 });
    const before = world.dnsQueries.filter((q) => q.name.endsWith('.slow.example.cn')).length;
    expect((await ask(0)).status).toBe('ok'); // the first one is repeated at 50 and 150 ms
    for (let i = 1; i < 4; i++) expect((await ask(i)).status).toBe('ok');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(100 + i)));
    r.close();
    expect(results.every((x) => x.status === 'ok')).toBe(true);
    const sent = world.dnsQueries.filter((q) => q.name.endsWith('.slow.example.cn')).length - before;
    // without the RTT estimate every one of the 24 queries would be sent 3 times (72)
    expect(sent).toBeLessThan(24 + 10);
  });

  it('falls back to TCP when the UDP answer is truncated', async () => {
    const r = new MuxResolver({ servers: [world.resolver] });
    const res = await r.resolve('big.yaan.gov.cn', 'TXT');
    r.close();
    expect(res.status).toBe('ok');
    expect(res.answers).toHaveLength(12);
  });

  it('moves to the next server on retry', async () => {
    const dead = '127.0.0.1:9';
    const r = new MuxResolver({ servers: [dead, second.resolver], firstTryMs: 50 });
    const res = await r.resolve('only-second.example.cn', 'A', { timeoutMs: 2000 });
    r.close();
    expect(res).toMatchObject({ status: 'ok', resolver: second.resolver });
  });

  it('with a fifth of the queries dropped, hundreds in flight over two sockets: every name is answered, none made nxdomain', async () => {
    const r = new MuxResolver({ servers: [world.resolver], firstTryMs: 150, maxInFlight: 400, tries: 8 });
    const names = [...Array.from({ length: 300 }, (_, i) => `n${i}.flaky.example.cn`), ...Array.from({ length: 300 }, (_, i) => `gone${i}.flaky.example.cn`)];
    const results = await Promise.all(names.map((n) => r.resolve(n, 'A', { timeoutMs: 10_000 })));
    r.close();
    const byName = new Map(results.map((x) => [x.name, x.status]));
    expect(names.slice(0, 300).filter((n) => byName.get(n) !== 'ok')).toEqual([]);
    expect(names.slice(300).filter((n) => byName.get(n) !== 'nxdomain')).toEqual([]);
    // the drops really happened, so retries were needed
    expect(world.dnsQueries.filter((q) => q.name.endsWith('.flaky.example.cn')).length).toBeGreaterThan(names.length);
  });

  it('settles queries in flight when closed or aborted, and refuses bad names', async () => {
    const r = new MuxResolver({ servers: [world.resolver] });
    const p = r.resolve('silent.yaan.gov.cn', 'A', { timeoutMs: 10_000 });
    const ac = new AbortController();
    const q = r.resolve('silent.yaan.gov.cn', 'AAAA', { timeoutMs: 10_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    expect(await q).toMatchObject({ status: 'timeout', error: { code: 'EABORTED' } });
    r.close();
    expect(await p).toMatchObject({ status: 'error', error: { code: 'ECLOSED' } });
    expect((await r.resolve('a..b', 'A')).error?.code).toBe('EBADNAME');
    expect(() => new MuxResolver({ servers: ['dns.example:53'] })).toThrow(/IP address/);
  });
});
