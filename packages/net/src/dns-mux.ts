import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import dns2 from 'dns2';
import type { DnsAnswer, DnsRecordType, DnsResult, DnsStatus, ResolveOptions } from '@govscan/core';
import { encodeQuery, interpret, isQueryableName, parseHostPort, parsePacket, tcpExchange, type Resolver } from './dns.js';
import { networkNow } from './clock.js';

const { Packet } = dns2;

export interface MuxResolverOptions {
  /** Servers as `HOST:PORT` (IP addresses). Each retry of a query goes to the next one. */
  servers: string[];
  /** Long-lived UDP sockets per server; queries are told apart by id (default 2). */
  socketsPerServer?: number;
  /** Tries of a query: the first one plus retries (default 5). */
  tries?: number;
  /**
   * Silence after which the first try is repeated (default 400 ms), or the
   * server's retransmission timeout (from its smoothed RTT) when that is
   * longer: a slow server is not flooded with retries. Every retry
   * waits twice as long as the one before, the last one until the timeout.
   */
  firstTryMs?: number;
  /** Queries in flight at once; the rest wait their turn (default 512). */
  maxInFlight?: number;
}

interface Server {
  host: string;
  port: number;
  label: string;
  sockets: Socket[];
  next: number;
  /** Smoothed round-trip time and its variation (RFC 6298). */
  srtt: number | null;
  rttvar: number;
}

interface Socket {
  sock: dgram.Socket;
  /** In-flight query ids on this socket. */
  pending: Map<number, Query>;
  /** Messages waiting for the socket to be connected (a tick, the address being an IP). */
  queued: Buffer[] | null;
}

interface Query {
  name: string;
  type: DnsRecordType;
  /** Lower-cased question name, to check replies against. */
  qname: string;
  /** Every (socket, id, server) this query was sent with: a late answer to an early try still counts. */
  sent: { socket: Socket; id: number; server: Server; at: number }[];
  /** The query message (id 0), encoded once; each try patches in its id. */
  buf: Buffer;
  onReply(reply: Buffer, server: Server, id: number): void;
}

/**
 * A stub resolver for bulk lookups: dns2's packet codec over a few long-lived
 * UDP sockets per server, queries matched to replies by id and question (not
 * one socket per query, which collapses under hundreds in flight), retries
 * with exponential backoff across the servers given, TCP when an answer is
 * truncated. A try that goes unanswered is repeated, and an answer to any of
 * the tries settles the query. Results carry the same three states as
 * `StubResolver`: `ok`/`nodata`/`nxdomain` are answers, the rest unknowns.
 */
export class MuxResolver implements Resolver {
  readonly label: string;
  private readonly servers: Server[];
  private readonly socketsPerServer: number;
  private readonly tries: number;
  private readonly firstTryMs: number;
  private readonly maxInFlight: number;
  private inFlight = 0;
  /** Queries waiting for a slot: a FIFO with a moving head (Array#shift is linear on long arrays). */
  private waiting: (() => void)[] = [];
  private waitingHead = 0;
  private rr = 0;
  private closed = false;
  private readonly live = new Set<() => void>();

  constructor(options: MuxResolverOptions) {
    if (options.servers.length === 0) throw new TypeError('MuxResolver needs at least one server');
    this.servers = options.servers.map((spec) => {
      const { host, port } = parseHostPort(spec);
      if (!net.isIP(host)) throw new TypeError(`resolver must be an IP address: ${JSON.stringify(spec)}`);
      return { host, port, label: `${net.isIPv6(host) ? `[${host}]` : host}:${port}`, sockets: [], next: 0, srtt: null, rttvar: 0 };
    });
    this.socketsPerServer = Math.max(1, options.socketsPerServer ?? 2);
    this.tries = Math.max(1, options.tries ?? 5);
    this.firstTryMs = Math.max(10, options.firstTryMs ?? 400);
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 512);
    this.label = this.servers.map((s) => s.label).join(',');
  }

  async resolve(name: string, type: DnsRecordType, options: ResolveOptions = {}): Promise<DnsResult> {
    let t0 = performance.now();
    const timeoutMs = options.timeoutMs ?? 5000;
    const first = this.servers[this.rr++ % this.servers.length]!;
    const done = (status: DnsStatus, answers: DnsAnswer[] = [], error?: { code: string; message: string }, resolver = first.label): DnsResult => ({
      name,
      type,
      status,
      answers,
      resolver,
      elapsedMs: Math.round(performance.now() - t0),
      ...(error ? { error } : {}),
    });
    if (!isQueryableName(name)) return done('error', [], { code: 'EBADNAME', message: `not a DNS name: ${JSON.stringify(name)}` });
    if (this.closed) return done('error', [], { code: 'ECLOSED', message: 'resolver closed' });
    if (options.signal?.aborted) return done('timeout', [], { code: 'EABORTED', message: 'query aborted' });
    await this.acquire();
    // The timeout counts from when the query gets its turn, not from when it was queued.
    t0 = performance.now();
    const n0 = networkNow();
    try {
      if (this.closed) return done('error', [], { code: 'ECLOSED', message: 'resolver closed' });
      return await this.run(name, type, timeoutMs, n0, this.servers.indexOf(first), options.signal, done);
    } finally {
      this.release();
    }
  }

  private run(name: string, type: DnsRecordType, timeoutMs: number, startedAt: number, firstServer: number, signal: AbortSignal | undefined, done: (status: DnsStatus, answers?: DnsAnswer[], error?: { code: string; message: string }, resolver?: string) => DnsResult): Promise<DnsResult> {
    // in network time (startedAt is networkNow()): a blocked event loop does not count against the server.
    // The retry timers stay plain ones: with the sockets unref'd, they keep the process alive while a query waits.
    const deadline = startedAt + timeoutMs;
    return new Promise<DnsResult>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      let tcpBusy = false;
      const query: Query = {
        name,
        type,
        qname: name.toLowerCase().replace(/\.$/, ''),
        sent: [],
        buf: encodeQuery(name, type, 0).buf,
        onReply: (reply, server, id) => {
          if (settled || tcpBusy) return;
          // Each try has its own id, so the answer says which try it answers: its RTT is unambiguous.
          const tried = query.sent.find((x) => x.id === id && x.server === server);
          if (tried) this.sampleRtt(server, networkNow() - tried.at);
          const quick = headerOnly(reply, query.buf);
          if (quick) {
            finish(interpret(quick, name, type, (s, a, e) => done(s, a, e, server.label)));
            return;
          }
          let packet: ReturnType<typeof Packet.parse>;
          try {
            packet = parsePacket(reply);
          } catch {
            return; // garbage: keep waiting for a real answer
          }
          const q = packet.questions[0];
          if (!q || q.name.toLowerCase().replace(/\.$/, '') !== query.qname || q.type !== Packet.TYPE[type]) return; // an answer to something else
          if (packet.header.tc) {
            tcpBusy = true;
            clearTimeout(timer);
            const left = Math.max(50, deadline - networkNow());
            tcpExchange(server.host, server.port, encodeQuery(name, type), left, signal).then(
              (tcp) => {
                if (tcp) {
                  try {
                    finish(interpret(parsePacket(tcp), name, type, (s, a, e) => done(s, a, e, server.label)));
                    return;
                  } catch {
                    // fall through: keep the truncated UDP answer
                  }
                }
                finish(interpret(packet, name, type, (s, a, e) => done(s, a, e, server.label)));
              },
              (err: NodeJS.ErrnoException) =>
                finish(err.name === 'AbortError' ? done('timeout', [], { code: 'EABORTED', message: 'query aborted' }) : interpret(packet, name, type, (s, a, e) => done(s, a, e, server.label))),
            );
            return;
          }
          finish(interpret(packet, name, type, (s, a, e) => done(s, a, e, server.label)));
        },
      };
      const finish = (result: DnsResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.live.delete(onClose);
        for (const s of query.sent) if (s.socket.pending.get(s.id) === query) s.socket.pending.delete(s.id);
        resolve(result);
      };
      const onAbort = (): void => finish(done('timeout', [], { code: 'EABORTED', message: 'query aborted' }));
      const onClose = (): void => finish(done('error', [], { code: 'ECLOSED', message: 'resolver closed' }));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.live.add(onClose);

      const attempt = (i: number): void => {
        if (settled) return;
        const left = deadline - networkNow();
        if (i >= this.tries && left > 1) {
          // the loop was blocked: the last try's time is not up yet in network time
          timer = setTimeout(() => attempt(i), left);
          return;
        }
        if (i >= this.tries || left <= 0) {
          const asked = [...new Set(query.sent.map((s) => s.server.label))].join(', ');
          finish(done('timeout', [], { code: 'ETIMEOUT', message: `no answer from ${asked || this.label} within ${timeoutMs} ms (${query.sent.length} tries)` }));
          return;
        }
        const server = this.servers[(firstServer + i) % this.servers.length]!;
        this.send(server, query);
        // The last try waits out the deadline: an answer to any try still counts.
        timer = setTimeout(() => attempt(i + 1), i + 1 >= this.tries ? left : Math.min(left, this.rto(server) * 2 ** i));
      };
      attempt(0);
    });
  }

  private sampleRtt(server: Server, rtt: number): void {
    if (server.srtt === null) {
      server.srtt = rtt;
      server.rttvar = rtt / 2;
    } else {
      server.rttvar = 0.75 * server.rttvar + 0.25 * Math.abs(server.srtt - rtt);
      server.srtt = 0.875 * server.srtt + 0.125 * rtt;
    }
  }

  /**
   * How long a try waits before the next: the configured first-try wait, or
   * the server's retransmission timeout when that is longer: srtt + 4 × rttvar
   * (RFC 6298), but never more than twice the smoothed RTT, so that a burst of
   * slow answers does not leave too few tries before the deadline.
   */
  private rto(server: Server): number {
    return server.srtt === null ? this.firstTryMs : Math.min(5000, Math.max(this.firstTryMs, Math.min(2 * server.srtt, server.srtt + 4 * server.rttvar)));
  }

  private send(server: Server, query: Query): void {
    const socket = this.socketFor(server);
    let id = randomInt(0x10000);
    for (let n = 0; socket.pending.has(id) && n < 0x10000; n++) id = (id + 1) & 0xffff;
    socket.pending.set(id, query);
    query.sent.push({ socket, id, server, at: networkNow() });
    const buf = Buffer.from(query.buf);
    buf.writeUInt16BE(id, 0);
    // A failed send is silence: the retry timer takes over.
    if (socket.queued) socket.queued.push(buf);
    else socket.sock.send(buf, () => undefined);
  }

  private socketFor(server: Server): Socket {
    if (server.sockets.length < this.socketsPerServer) {
      const sock = dgram.createSocket({ type: net.isIPv6(server.host) ? 'udp6' : 'udp4', recvBufferSize: 1 << 22, sendBufferSize: 1 << 20 });
      const socket: Socket = { sock, pending: new Map(), queued: [] };
      sock.on('error', () => undefined);
      // Connected to its server: no address to parse on each send, and the kernel drops datagrams from anyone else.
      sock.connect(server.port, server.host, () => {
        const queued = socket.queued ?? [];
        socket.queued = null;
        for (const b of queued) sock.send(b, () => undefined);
      });
      sock.on('message', (msg, rinfo) => {
        if (msg.length < 12 || rinfo.port !== server.port) return;
        const id = msg.readUInt16BE(0);
        const query = socket.pending.get(id);
        if (query) query.onReply(msg, server, id);
      });
      sock.unref();
      server.sockets.push(socket);
      return socket;
    }
    const socket = server.sockets[server.next++ % server.sockets.length]!;
    return socket;
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.maxInFlight) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  private release(): void {
    if (this.waitingHead < this.waiting.length) {
      const next = this.waiting[this.waitingHead]!;
      this.waiting[this.waitingHead++] = undefined as never;
      if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.waitingHead);
        this.waitingHead = 0;
      }
      next();
    } else this.inFlight--;
  }

  /** Settle every query in flight (`ECLOSED`) and close the sockets. */
  close(): void {
    this.closed = true;
    for (const onClose of [...this.live]) onClose();
    for (const server of this.servers) {
      for (const s of server.sockets) {
        try {
          s.sock.close();
        } catch {
          // already closed
        }
      }
      server.sockets = [];
    }
  }
}

/**
 * Replies that carry no records (NXDOMAIN, NODATA, SERVFAIL, REFUSED: most of
 * a lookalike hunt) are read from the header alone, after checking that the
 * question is ours byte for byte (case aside); dns2's full parser, ~100 µs a
 * message, is kept for replies with records. Null: parse it in full.
 */
function headerOnly(reply: Buffer, query: Buffer): { header: { rcode: number }; answers: [] } | null {
  if (reply.length < query.length) return null;
  const flags = reply.readUInt16BE(2);
  const tc = (flags >> 9) & 1;
  const rcode = flags & 0xf;
  const qdcount = reply.readUInt16BE(4);
  const ancount = reply.readUInt16BE(6);
  if (tc || qdcount !== 1 || (rcode === 0 && ancount > 0)) return null;
  for (let i = 12; i < query.length; i++) {
    let a = reply[i]!;
    let b = query[i]!;
    if (a >= 0x41 && a <= 0x5a) a |= 0x20;
    if (b >= 0x41 && b <= 0x5a) b |= 0x20;
    if (a !== b) return null;
  }
  return { header: { rcode }, answers: [] };
}
