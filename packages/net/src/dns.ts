import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { promises as dnsPromises } from 'node:dns';
import net from 'node:net';
import dns2 from 'dns2';
import type { DnsAnswer, DnsRecordType, DnsResult, DnsStatus, ResolveOptions } from '@govscan/core';
import { networkNow, networkTimer } from './clock.js';

const { Packet } = dns2;

/** RFC 1035 §4.1.1 response codes (dns2's type declarations omit them). */
const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

/** Largest DNS message accepted over TCP (the protocol maximum is 65,535). */
const MAX_TCP_MESSAGE = 65_535;

export interface Resolver {
  readonly label: string;
  resolve(name: string, type: DnsRecordType, options?: ResolveOptions): Promise<DnsResult>;
  close(): void;
}

export function parseHostPort(spec: string, defaultPort = 53): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(spec) ?? /^([^:]+)(?::(\d+))?$/.exec(spec) ?? (net.isIPv6(spec) ? [spec, spec, undefined] : null);
  const port = m?.[2] === undefined ? defaultPort : Number(m[2]);
  if (!m || !m[1] || !Number.isInteger(port) || port < 1 || port > 65535) throw new TypeError(`not HOST:PORT: ${JSON.stringify(spec)}`);
  return { host: m[1], port };
}

/**
 * A stub resolver that sends every query to one server (`--resolver
 * HOST:PORT`) with dns2's packet codec: UDP first, TCP when the answer is
 * truncated, retries on silence. Every query has a timeout and honours an
 * AbortSignal; a silent or failing server gives status `timeout`/`servfail`
 * (an unknown), never a made-up "does not exist".
 */
export class StubResolver implements Resolver {
  readonly label: string;
  private readonly host: string;
  private readonly port: number;
  private readonly retries: number;

  constructor(spec: string, options: { retries?: number } = {}) {
    const { host, port } = parseHostPort(spec);
    if (!net.isIP(host)) throw new TypeError(`resolver must be an IP address: ${JSON.stringify(spec)}`);
    this.host = host;
    this.port = port;
    this.retries = options.retries ?? 1;
    this.label = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  }

  async resolve(name: string, type: DnsRecordType, options: ResolveOptions = {}): Promise<DnsResult> {
    const t0 = performance.now();
    const timeoutMs = options.timeoutMs ?? 5000;
    const deadline = networkNow() + timeoutMs; // network time: a blocked event loop does not count
    const base = { name, type, resolver: this.label };
    const done = (status: DnsStatus, answers: DnsAnswer[] = [], error?: { code: string; message: string }): DnsResult => ({
      ...base,
      status,
      answers,
      elapsedMs: Math.round(performance.now() - t0),
      ...(error ? { error } : {}),
    });
    if (!isQueryableName(name)) return done('error', [], { code: 'EBADNAME', message: `not a DNS name: ${JSON.stringify(name)}` });
    const attempts = this.retries + 1;
    for (let i = 0; i < attempts; i++) {
      const left = deadline - networkNow();
      if (left <= 0 || options.signal?.aborted) break;
      // Spread what is left over the remaining tries, so a retry still gets a chance.
      const perTry = Math.max(50, Math.floor(left / (attempts - i)));
      let reply: Buffer | null;
      try {
        reply = await this.udp(name, type, perTry, options.signal);
        if (reply === null) continue; // silence: try again
        let packet = parsePacket(reply);
        if (packet.header.tc) {
          const tcp = await this.tcp(name, type, Math.max(50, deadline - networkNow()), options.signal);
          if (tcp) packet = parsePacket(tcp);
        }
        return interpret(packet, name, type, done);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.name === 'AbortError') return done('timeout', [], { code: 'EABORTED', message: 'query aborted' });
        return done('error', [], { code: e.code ?? 'EDNS', message: e.message });
      }
    }
    return done('timeout', [], { code: 'ETIMEOUT', message: `no answer from ${this.label} within ${timeoutMs} ms` });
  }

  private query(name: string, type: DnsRecordType): { id: number; buf: Buffer } {
    return encodeQuery(name, type);
  }

  /** One UDP exchange; resolves null on silence within `ms`. */
  private udp(name: string, type: DnsRecordType, ms: number, signal?: AbortSignal): Promise<Buffer | null> {
    const { id, buf } = this.query(name, type);
    const sock = dgram.createSocket(net.isIPv6(this.host) ? 'udp6' : 'udp4');
    return exchange(ms, signal, () => sock.close(), (settle) => {
      sock.on('error', (err) => settle(err));
      sock.on('message', (msg, rinfo) => {
        if (rinfo.port !== this.port || msg.length < 12 || msg.readUInt16BE(0) !== id) return; // not ours
        settle(null, msg);
      });
      sock.send(buf, this.port, this.host);
    });
  }

  /** One TCP exchange (length-prefixed); resolves null on timeout. */
  private tcp(name: string, type: DnsRecordType, ms: number, signal?: AbortSignal): Promise<Buffer | null> {
    return tcpExchange(this.host, this.port, this.query(name, type), ms, signal);
  }

  close(): void {}
}

/** A DNS query message (recursion desired) with a random id (or the one given). */
export function encodeQuery(name: string, type: DnsRecordType, id: number = randomInt(0x10000)): { id: number; buf: Buffer } {
  const q = new Packet();
  q.header.id = id;
  q.header.rd = 1;
  (q.questions as unknown[]).push({ name, class: Packet.CLASS.IN, type: Packet.TYPE[type] });
  return { id: q.header.id, buf: q.toBuffer() };
}

/** One DNS exchange over TCP (length-prefixed, RFC 1035 §4.2.2); resolves null on timeout or an early close. */
export function tcpExchange(host: string, port: number, query: { id: number; buf: Buffer }, ms: number, signal?: AbortSignal): Promise<Buffer | null> {
  const { id, buf } = query;
  const sock = net.connect({ host, port });
  return exchange(ms, signal, () => sock.destroy(), (settle) => {
    let acc = Buffer.alloc(0);
    sock.on('error', (err) => settle(err));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(buf.length);
      sock.write(Buffer.concat([len, buf]));
    });
    sock.on('data', (chunk: Buffer) => {
      acc = Buffer.concat([acc, chunk]);
      if (acc.length > MAX_TCP_MESSAGE + 2) return settle(Object.assign(new Error('oversized TCP answer'), { code: 'EDNSFORMAT' }));
      if (acc.length < 2) return;
      const need = acc.readUInt16BE(0);
      if (acc.length < need + 2) return;
      const msg = acc.subarray(2, need + 2);
      if (msg.length >= 12 && msg.readUInt16BE(0) === id) settle(null, Buffer.from(msg));
      else settle(Object.assign(new Error('mismatched TCP answer id'), { code: 'EDNSFORMAT' }));
    });
    sock.on('end', () => settle(null, null));
  });
}

/**
 * One request/reply over a socket: settles exactly once, on the reply, an
 * error, silence for `ms` (null) or the signal, and always closes the socket.
 */
export function exchange(ms: number, signal: AbortSignal | undefined, close: () => void, start: (settle: (err: Error | null, reply?: Buffer | null) => void) => void): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err: Error | null, reply: Buffer | null = null): void => {
      if (settled) return;
      settled = true;
      cancel();
      signal?.removeEventListener('abort', onAbort);
      close();
      if (err) reject(err);
      else resolve(reply);
    };
    const onAbort = (): void => settle(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    const cancel = networkTimer(ms, () => settle(null, null));
    signal?.addEventListener('abort', onAbort, { once: true });
    start(settle);
  });
}

export type Done = (status: DnsStatus, answers?: DnsAnswer[], error?: { code: string; message: string }) => DnsResult;

interface ParsedResource {
  name: string;
  type: number;
  ttl: number;
  address?: string;
  domain?: string;
  ns?: string;
  exchange?: string;
  priority?: number;
  data?: string | string[];
  flags?: number;
  tag?: string;
  value?: string;
  primary?: string;
  admin?: string;
  serial?: number;
}

const TYPE_NAMES = new Map<number, DnsRecordType>(
  (['A', 'AAAA', 'CNAME', 'NS', 'MX', 'TXT', 'CAA', 'SOA'] as const).map((t) => [Packet.TYPE[t] as number, t]),
);

/** Smallest sizes on the wire: a question (root name, type, class) and a resource record (root name, type, class, TTL, length). */
const MIN_QUESTION = 5;
const MIN_RECORD = 11;

/**
 * Parse a DNS message with dns2, refusing (EDNSFORMAT) one whose header
 * counts cannot fit in its length — dns2 would spend seconds of CPU on it —
 * and one whose answers did not all parse (dns2 drops those silently, and an
 * empty list would read as "no such record").
 */
export function parsePacket(buf: Buffer): ReturnType<typeof Packet.parse> {
  const format = (message: string): Error => Object.assign(new Error(message), { code: 'EDNSFORMAT' });
  if (buf.length < 12) throw format(`a ${buf.length}-byte DNS message is shorter than its header`);
  const [qd, an, ns, ar] = [4, 6, 8, 10].map((o) => buf.readUInt16BE(o)) as [number, number, number, number];
  if (12 + qd * MIN_QUESTION + (an + ns + ar) * MIN_RECORD > buf.length) throw format(`header counts (${qd} questions, ${an + ns + ar} records) do not fit in ${buf.length} bytes`);
  const packet = Packet.parse(buf);
  const parsed = (packet.answers ?? []).length;
  if (parsed < an) throw format(`${an - parsed} of ${an} answer records could not be parsed`);
  return packet;
}

/** Turn a parsed reply into a DnsResult with govscan's three states. */
export function interpret(packet: { header: { rcode: number; tc?: number | boolean }; answers: ParsedResource[] }, name: string, type: DnsRecordType, done: Done): DnsResult {
  const rcode = packet.header.rcode;
  // Still truncated: the TCP retry failed, so what the UDP answer lacks is unknown — never "no such record".
  if (packet.header.tc) return done('error', [], { code: 'ETRUNCATED', message: 'the answer was truncated (TC) and could not be had over TCP' });
  if (rcode === RCODE.NXDOMAIN) return done('nxdomain');
  if (rcode === RCODE.SERVFAIL) return done('servfail', [], { code: 'ESERVFAIL', message: 'server failure (SERVFAIL)' });
  if (rcode === RCODE.REFUSED) return done('refused', [], { code: 'EREFUSED', message: 'query refused (REFUSED)' });
  if (rcode !== RCODE.NOERROR) return done('error', [], { code: `ERCODE${rcode}`, message: `unexpected rcode ${rcode}` });
  const answers: DnsAnswer[] = [];
  for (const r of packet.answers) {
    const t = TYPE_NAMES.get(r.type);
    if (!t) continue;
    answers.push({ name: r.name, type: t, ttl: r.ttl, data: presentation(t, r) });
  }
  const wanted = answers.filter((a) => a.type === type);
  return wanted.length > 0 || (type === 'CNAME' && answers.length > 0) ? done('ok', answers) : done('nodata', answers);
}

function presentation(t: DnsRecordType, r: ParsedResource): string {
  switch (t) {
    case 'A':
    case 'AAAA':
      return r.address ?? '';
    case 'CNAME':
      return r.domain ?? '';
    case 'NS':
      return r.ns ?? '';
    case 'MX':
      return `${r.priority ?? 0} ${r.exchange ?? ''}`;
    case 'TXT':
      return Array.isArray(r.data) ? r.data.join('') : (r.data ?? '');
    case 'CAA':
      return `${r.flags ?? 0} ${r.tag ?? ''} "${r.value ?? ''}"`;
    case 'SOA':
      return `${r.primary ?? ''} ${r.admin ?? ''} ${r.serial ?? 0}`;
  }
}

/** Whether a name can go into a query: 1..253 characters, labels of 1..63. */
export function isQueryableName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((l, i, all) => (l.length > 0 || i === all.length - 1) && l.length <= 63);
}

/**
 * The machine's configured resolvers, through node's c-ares resolver (not
 * getaddrinfo, so the same three states come back). Used only when no
 * `--resolver` is given.
 */
export class SystemResolver implements Resolver {
  readonly label = 'system';

  async resolve(name: string, type: DnsRecordType, options: ResolveOptions = {}): Promise<DnsResult> {
    const t0 = performance.now();
    const timeoutMs = options.timeoutMs ?? 5000;
    const r = new dnsPromises.Resolver({ timeout: Math.max(100, Math.floor(timeoutMs / 2)), tries: 2 });
    const onAbort = (): void => r.cancel();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const base = { name, type, resolver: this.label };
    const elapsed = (): number => Math.round(performance.now() - t0);
    try {
      const answers = await lookupSystem(r, name, type);
      return { ...base, status: 'ok', answers, elapsedMs: elapsed() };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EDNS';
      const status: DnsStatus =
        code === 'ENOTFOUND' ? 'nxdomain' : code === 'ENODATA' ? 'nodata' : code === 'ESERVFAIL' ? 'servfail' : code === 'EREFUSED' ? 'refused' : code === 'ETIMEOUT' || code === 'ECANCELLED' ? 'timeout' : 'error';
      const result: DnsResult = { ...base, status, answers: [], elapsedMs: elapsed() };
      if (status !== 'nxdomain' && status !== 'nodata') result.error = { code, message: (err as Error).message };
      return result;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  close(): void {}
}

async function lookupSystem(r: InstanceType<typeof dnsPromises.Resolver>, name: string, type: DnsRecordType): Promise<DnsAnswer[]> {
  const mk = (data: string, ttl = 0): DnsAnswer => ({ name, type, ttl, data });
  switch (type) {
    case 'A':
      return (await r.resolve4(name, { ttl: true })).map((x) => mk(x.address, x.ttl));
    case 'AAAA':
      return (await r.resolve6(name, { ttl: true })).map((x) => mk(x.address, x.ttl));
    case 'CNAME':
      return (await r.resolveCname(name)).map((x) => mk(x));
    case 'NS':
      return (await r.resolveNs(name)).map((x) => mk(x));
    case 'MX':
      return (await r.resolveMx(name)).map((x) => mk(`${x.priority} ${x.exchange}`));
    case 'TXT':
      return (await r.resolveTxt(name)).map((x) => mk(x.join('')));
    case 'CAA':
      return (await r.resolveCaa(name)).map((x) => {
        const [tag, value] = Object.entries(x).find(([k]) => k !== 'critical') ?? ['', ''];
        return mk(`${x.critical} ${tag} "${String(value)}"`);
      });
    case 'SOA': {
      const s = await r.resolveSoa(name);
      return [mk(`${s.nsname} ${s.hostmaster} ${s.serial}`)];
    }
  }
}
