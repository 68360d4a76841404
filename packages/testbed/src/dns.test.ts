import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryTcp, queryUdp, RCODE, TYPE } from './test-utils.js';
import type { World } from './types.js';
import { startWorld } from './world.js';

const LONG_TXT = 'v=spf1 ' + 'include:_spf.example.cn '.repeat(15) + '-all'; // > 255 bytes

describe('world DNS (dns2 server, UDP + TCP)', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({
      name: 'dns',
      hosts: [
        { name: 'www.yaan.gov.cn' },
        { name: 'v4only.yaan.gov.cn', dns: { a: ['10.1.2.3', '10.1.2.4'], ttl: 60 } },
        { name: 'v6.yaan.gov.cn', dns: { aaaa: ['2001:db8::1'] } },
        { name: 'alias.yaan.gov.cn', dns: { cname: 'www.yaan.gov.cn' } },
        { name: 'outside.yaan.gov.cn', dns: { cname: 'cdn.example.net' } },
        {
          name: 'yaan.gov.cn',
          dns: {
            a: ['127.0.0.1'],
            ns: ['ns1.yaan.gov.cn', 'ns2.yaan.gov.cn'],
            mx: [
              { priority: 10, exchange: 'mx1.yaan.gov.cn' },
              { priority: 20, exchange: 'mx2.yaan.gov.cn' },
            ],
            txt: ['v=spf1 -all', LONG_TXT],
            caa: [
              { flags: 0, tag: 'issue', value: 'letsencrypt.org' },
              { flags: 128, tag: 'iodef', value: 'mailto:sec@yaan.gov.cn' },
            ],
            soa: true,
          },
        },
        { name: 'mailonly.example.cn', dns: { mx: [{ priority: 5, exchange: 'mx.example.cn' }] } },
        { name: '*.wild.example.cn' },
        { name: 'broken.example.cn', dns: { rcode: 'SERVFAIL' } },
        { name: 'refused.example.cn', dns: { rcode: 'REFUSED' } },
        { name: 'gone.example.cn', dns: { rcode: 'NXDOMAIN' } },
        { name: 'blackhole.example.cn', dns: { drop: true } },
        { name: 'flaky.example.cn', dns: { drop: 0.5 } },
        { name: 'slow.example.cn', dns: { delayMs: 250 } },
      ],
    });
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('answers A with the default 127.0.0.1, authoritatively', async () => {
    const res = await queryUdp(world.dnsPort, 'www.yaan.gov.cn', TYPE.A);
    expect(res?.header.rcode).toBe(RCODE.NOERROR);
    expect(res?.header.aa).toBe(1);
    expect(res?.answers.map((a) => a.address)).toEqual(['127.0.0.1']);
    expect(res?.answers[0]?.ttl).toBe(300);
  });

  it('answers explicit A records with their TTL', async () => {
    const res = await queryUdp(world.dnsPort, 'v4only.yaan.gov.cn', TYPE.A);
    expect(res?.answers.map((a) => a.address)).toEqual(['10.1.2.3', '10.1.2.4']);
    expect(res?.answers.every((a) => a.ttl === 60)).toBe(true);
  });

  it('answers AAAA (explicit) and nodata for AAAA on an A-only name', async () => {
    const v6 = await queryUdp(world.dnsPort, 'v6.yaan.gov.cn', TYPE.AAAA);
    expect(v6?.answers.map((a) => a.address)).toEqual(['2001:db8::1']);
    const none = await queryUdp(world.dnsPort, 'v4only.yaan.gov.cn', TYPE.AAAA);
    expect(none?.header.rcode).toBe(RCODE.NOERROR);
    expect(none?.answers).toHaveLength(0);
    expect(none?.authorities[0]?.type).toBe(TYPE.SOA);
  });

  it('answers a CNAME and follows it inside the world', async () => {
    const res = await queryUdp(world.dnsPort, 'alias.yaan.gov.cn', TYPE.A);
    expect(res?.answers.map((a) => [a.type, a.domain ?? a.address])).toEqual([
      [TYPE.CNAME, 'www.yaan.gov.cn'],
      [TYPE.A, '127.0.0.1'],
    ]);
    const out = await queryUdp(world.dnsPort, 'outside.yaan.gov.cn', TYPE.A);
    expect(out?.answers.map((a) => a.domain)).toEqual(['cdn.example.net']);
    const cname = await queryUdp(world.dnsPort, 'alias.yaan.gov.cn', TYPE.CNAME);
    expect(cname?.answers).toHaveLength(1);
    expect(cname?.answers[0]?.domain).toBe('www.yaan.gov.cn');
  });

  it('answers MX, NS, TXT (long strings split) and CAA', async () => {
    const mx = await queryUdp(world.dnsPort, 'yaan.gov.cn', TYPE.MX);
    expect(mx?.answers.map((a) => [a.priority, a.exchange])).toEqual([
      [10, 'mx1.yaan.gov.cn'],
      [20, 'mx2.yaan.gov.cn'],
    ]);
    const ns = await queryUdp(world.dnsPort, 'yaan.gov.cn', TYPE.NS);
    expect(ns?.answers.map((a) => a.ns)).toEqual(['ns1.yaan.gov.cn', 'ns2.yaan.gov.cn']);
    const txt = await queryUdp(world.dnsPort, 'yaan.gov.cn', TYPE.TXT);
    expect(txt?.answers.map((a) => a.data)).toEqual(['v=spf1 -all', LONG_TXT]);
    const caa = await queryUdp(world.dnsPort, 'yaan.gov.cn', TYPE.CAA);
    expect(caa?.answers.map((a) => [a.flags, a.tag, a.value])).toEqual([
      [0, 'issue', 'letsencrypt.org'],
      [128, 'iodef', 'mailto:sec@yaan.gov.cn'],
    ]);
    const soa = await queryUdp(world.dnsPort, 'yaan.gov.cn', TYPE.SOA);
    expect(soa?.answers[0]?.primary).toBe('ns1.yaan.gov.cn');
  });

  it('answers nodata for A on a name with only MX records', async () => {
    const res = await queryUdp(world.dnsPort, 'mailonly.example.cn', TYPE.A);
    expect(res?.header.rcode).toBe(RCODE.NOERROR);
    expect(res?.answers).toHaveLength(0);
  });

  it('answers wildcard names at any depth, not the wildcard parent', async () => {
    for (const name of ['a.wild.example.cn', 'x.y.wild.example.cn', 'Mixed.Wild.Example.CN']) {
      const res = await queryUdp(world.dnsPort, name, TYPE.A);
      expect(res?.header.rcode).toBe(RCODE.NOERROR);
      expect(res?.answers[0]?.name).toBe(name);
      expect(res?.answers[0]?.address).toBe('127.0.0.1');
    }
    const parent = await queryUdp(world.dnsPort, 'wild.example.cn', TYPE.A);
    expect(parent?.header.rcode).toBe(RCODE.NOERROR); // empty non-terminal
    expect(parent?.answers).toHaveLength(0);
  });

  it('answers NXDOMAIN with an SOA for unknown names', async () => {
    const res = await queryUdp(world.dnsPort, 'nope.yaan.gov.cn', TYPE.A);
    expect(res?.header.rcode).toBe(RCODE.NXDOMAIN);
    expect(res?.answers).toHaveLength(0);
    expect(res?.authorities[0]?.type).toBe(TYPE.SOA);
    expect(res?.authorities[0]?.name).toBe('yaan.gov.cn');
  });

  it('answers the configured rcodes', async () => {
    expect((await queryUdp(world.dnsPort, 'broken.example.cn', TYPE.A))?.header.rcode).toBe(RCODE.SERVFAIL);
    expect((await queryUdp(world.dnsPort, 'refused.example.cn', TYPE.A))?.header.rcode).toBe(RCODE.REFUSED);
    expect((await queryUdp(world.dnsPort, 'gone.example.cn', TYPE.A))?.header.rcode).toBe(RCODE.NXDOMAIN);
  });

  it('never answers dropped names (no reply within 300 ms)', async () => {
    expect(await queryUdp(world.dnsPort, 'blackhole.example.cn', TYPE.A, 300)).toBeNull();
    expect(await queryTcp(world.dnsPort, 'blackhole.example.cn', TYPE.A, 300)).toBeNull();
  });

  it('drops a share of queries for drop: 0.5', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, () => queryUdp(world.dnsPort, 'flaky.example.cn', TYPE.A, 300)),
    );
    const answered = results.filter((r) => r !== null).length;
    expect(answered).toBeGreaterThan(3);
    expect(answered).toBeLessThan(27);
  });

  it('delays answers by delayMs', async () => {
    const t0 = performance.now();
    const res = await queryUdp(world.dnsPort, 'slow.example.cn', TYPE.A, 2000);
    const elapsed = performance.now() - t0;
    expect(res?.answers[0]?.address).toBe('127.0.0.1');
    expect(elapsed).toBeGreaterThanOrEqual(240);
    expect(await queryUdp(world.dnsPort, 'slow.example.cn', TYPE.A, 100)).toBeNull();
  });

  it('serves TCP on the same port as UDP', async () => {
    expect(world.resolver).toBe(`127.0.0.1:${world.dnsPort}`);
    const res = await queryTcp(world.dnsPort, 'yaan.gov.cn', TYPE.TXT);
    expect(res?.answers.map((a) => a.data)).toEqual(['v=spf1 -all', LONG_TXT]);
  });

  it('logs queries', async () => {
    await queryUdp(world.dnsPort, 'logged.example.cn', TYPE.MX);
    const entry = world.dnsQueries.find((q) => q.name === 'logged.example.cn');
    expect(entry?.type).toBe('MX');
    expect(entry?.at).toBeGreaterThan(Date.now() - 10_000);
  });
});
