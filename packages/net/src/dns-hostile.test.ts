/**
 * Resolvers built to misbehave, on loopback: an answer that cannot be read is
 * unknown — never "no such record", which the rules would judge.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePacket, StubResolver } from './dns.js';

type Reply = (query: Buffer) => Buffer;
const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A UDP server answering each query with `reply(query)`, and a TCP listener that accepts and closes at once. */
async function hostile(reply: Reply): Promise<string> {
  // UDP and TCP on one port: the UDP port picked may be taken for TCP (by another test), so try again
  for (let tries = 0; tries < 20; tries++) {
    const udp = dgram.createSocket('udp4');
    udp.on('message', (msg, rinfo) => udp.send(reply(msg), rinfo.port, rinfo.address));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    const port = udp.address().port;
    const tcp = net.createServer((s) => s.destroy());
    const ok = await new Promise<boolean>((r) => {
      tcp.once('error', () => r(false));
      tcp.listen(port, '127.0.0.1', () => r(true));
    });
    if (!ok) {
      udp.close();
      continue;
    }
    servers.push({ close: () => udp.close() }, { close: () => tcp.close() });
    return `127.0.0.1:${port}`;
  }
  throw new Error('no port free for both UDP and TCP');
}

/** The query's header and question, with the flags and counts given, and `rest` after them. */
function answer(query: Buffer, o: { tc?: boolean; ancount?: number; counts?: [number, number, number]; rest?: Buffer }): Buffer {
  const qEnd = questionEnd(query);
  const head = Buffer.from(query.subarray(0, qEnd));
  head.writeUInt16BE(0x8180 | (o.tc ? 0x0200 : 0), 2); // response, RD+RA, NOERROR
  const [an, ns, ar] = o.counts ?? [o.ancount ?? 0, 0, 0];
  head.writeUInt16BE(an, 6);
  head.writeUInt16BE(ns, 8);
  head.writeUInt16BE(ar, 10);
  return Buffer.concat([head, o.rest ?? Buffer.alloc(0)]);
}

function questionEnd(q: Buffer): number {
  let i = 12;
  while (q[i] !== 0) i += q[i]! + 1;
  return i + 5;
}

const resolver = (addr: string): { resolve: (n: string, t: 'A' | 'AAAA') => ReturnType<StubResolver['resolve']> } => {
  const r = new StubResolver(addr, { retries: 0 });
  return { resolve: (n, t) => r.resolve(n, t, { timeoutMs: 1500 }) };
};

describe('hostile resolvers', () => {
  it('TC set on every answer and the TCP connection closed: unknown, not nodata', async () => {
    const addr = await hostile((q) => answer(q, { tc: true }));
    const r = await resolver(addr).resolve('www.yaan.gov.cn', 'AAAA');
    expect(r.status).not.toBe('nodata');
    expect(['error', 'timeout', 'servfail']).toContain(r.status);
  });

  it('an answer whose name is a compression pointer to itself: unknown, not nodata', async () => {
    // answer name at offset N: a pointer (0xC000 | N) to itself, then type AAAA, class IN, TTL, rdlength 16
    const addr = await hostile((q) => {
      const at = questionEnd(q);
      const rr = Buffer.alloc(2 + 10 + 16);
      rr.writeUInt16BE(0xc000 | at, 0);
      rr.writeUInt16BE(28, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(300, 6);
      rr.writeUInt16BE(16, 10);
      return answer(q, { ancount: 1, rest: rr });
    });
    const r = await resolver(addr).resolve('www.yaan.gov.cn', 'AAAA');
    expect(r.status).toBe('error');
    expect(r.error?.code).toBe('EDNSFORMAT');
  });

  it('garbage under our query id, header counts of ~50,000 in 600 bytes: refused at once, no seconds of parsing', () => {
    const buf = Buffer.alloc(600, 0xab);
    buf.writeUInt16BE(0x1234, 0);
    buf.writeUInt16BE(0x8180, 2);
    for (const o of [4, 6, 8, 10]) buf.writeUInt16BE(50_000, o);
    const t0 = performance.now();
    expect(() => parsePacket(buf)).toThrow(/do not fit/);
    expect(performance.now() - t0).toBeLessThan(50);
  });

  it('a resolver that answers our id with garbage ends within the timeout, unknown', async () => {
    const addr = await hostile((q) => {
      const b = Buffer.alloc(600, 0xab);
      q.copy(b, 0, 0, 2);
      b.writeUInt16BE(0x8180, 2);
      for (const o of [4, 6, 8, 10]) b.writeUInt16BE(50_000, o);
      return b;
    });
    const t0 = Date.now();
    const r = await resolver(addr).resolve('www.yaan.gov.cn', 'A');
    expect(Date.now() - t0).toBeLessThan(2 * 1500);
    expect(r.status).not.toBe('nodata');
    expect(r.error?.code).toBe('EDNSFORMAT');
  });
});
