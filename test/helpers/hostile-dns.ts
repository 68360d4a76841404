/**
 * A resolver on loopback that misbehaves for chosen questions and passes every
 * other one on to an upstream server (the testbed's), over UDP. Its TCP port
 * accepts and closes at once: an answer that sets TC cannot be completed.
 */
import dgram from 'node:dgram';
import net from 'node:net';

export interface Question {
  name: string;
  /** 'A', 'AAAA', 'CAA', 'NS', … or the number. */
  type: string;
  query: Buffer;
}

/** What to answer: bytes, nothing at all, or the upstream's answer. */
export type Answer = Buffer | 'drop' | 'forward';

const TYPES: Record<number, string> = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 15: 'MX', 16: 'TXT', 28: 'AAAA', 257: 'CAA' };

export function questionEnd(q: Buffer): number {
  let i = 12;
  while (i < q.length && q[i] !== 0) i += q[i]! + 1;
  return i + 5;
}

function question(q: Buffer): Question {
  const labels: string[] = [];
  let i = 12;
  while (i < q.length && q[i] !== 0) {
    labels.push(q.subarray(i + 1, i + 1 + q[i]!).toString('latin1'));
    i += q[i]! + 1;
  }
  const t = q.readUInt16BE(i + 1);
  return { name: labels.join('.').toLowerCase(), type: TYPES[t] ?? String(t), query: q };
}

/** The query's header and question, as a response with the flags and counts given, and `rest` after them. */
export function reply(query: Buffer, o: { tc?: boolean; counts?: [number, number, number]; rest?: Buffer }): Buffer {
  const head = Buffer.from(query.subarray(0, questionEnd(query)));
  head.writeUInt16BE(0x8180 | (o.tc ? 0x0200 : 0), 2); // response, RD+RA, NOERROR
  const [an, ns, ar] = o.counts ?? [0, 0, 0];
  head.writeUInt16BE(an, 6);
  head.writeUInt16BE(ns, 8);
  head.writeUInt16BE(ar, 10);
  return Buffer.concat([head, o.rest ?? Buffer.alloc(0)]);
}

export async function hostileResolver(upstream: string, answer: (q: Question) => Answer): Promise<{ address: string; close: () => Promise<void> }> {
  const [upHost, upPort] = [upstream.slice(0, upstream.lastIndexOf(':')), Number(upstream.slice(upstream.lastIndexOf(':') + 1))];
  let udp = dgram.createSocket('udp4');
  const relays = new Set<dgram.Socket>();
  const onMessage = (msg: Buffer, from: dgram.RemoteInfo): void => {
    if (msg.length < 17) return;
    const a = answer(question(msg));
    if (a === 'drop') return;
    if (a !== 'forward') {
      udp.send(a, from.port, from.address);
      return;
    }
    const relay = dgram.createSocket('udp4');
    relays.add(relay);
    const done = (): void => {
      relays.delete(relay);
      relay.close();
    };
    const timer = setTimeout(done, 5000);
    relay.on('message', (r) => {
      clearTimeout(timer);
      udp.send(r, from.port, from.address);
      done();
    });
    relay.send(msg, upPort, upHost);
  };
  udp.on('message', onMessage);
  const swap = (u: dgram.Socket): void => {
    udp.close();
    udp = u;
    udp.on('message', onMessage);
  };
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((s) => {
    sockets.add(s);
    s.destroy();
  });
  // UDP and TCP on one port: the UDP port picked may be taken for TCP, so try again
  let port = 0;
  for (let tries = 0; ; tries++) {
    const u = tries === 0 ? udp : dgram.createSocket('udp4');
    await new Promise<void>((r) => u.bind(0, '127.0.0.1', r));
    port = u.address().port;
    const ok = await new Promise<boolean>((r) => {
      tcp.once('error', () => r(false));
      tcp.listen(port, '127.0.0.1', () => r(true));
    });
    if (ok) {
      if (u !== udp) swap(u);
      break;
    }
    u.close();
    if (tries > 20) throw new Error('no port free for both UDP and TCP');
  }
  return {
    address: `127.0.0.1:${port}`,
    close: async () => {
      for (const r of relays) r.close();
      for (const s of sockets) s.destroy();
      await Promise.all([new Promise((r) => udp.close(() => r(null))), new Promise((r) => tcp.close(() => r(null)))]);
    },
  };
}
