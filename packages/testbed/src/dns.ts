/**
 * Authoritative DNS for the simulated world: a dns2 UDP server and a dns2 TCP
 * server on the same port of 127.0.0.1.
 */
import type { Socket } from 'node:net';
import dns2 from 'dns2';
import type { DnsHandler, Packet as DnsPacket, Resource } from 'dns2';
import { fnv1a } from './hash.js';
import { whenListening } from './listening.js';
import { type HostTable, normalizeName } from './names.js';
import type { DnsQueryLogEntry, DnsSpec, HostSpec } from './types.js';

const { Packet } = dns2;
/** Packet.RCODE exists at runtime but is missing from dns2's type declarations. */
const RCODE = (Packet as unknown as { RCODE: Record<'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED', number> })
  .RCODE;

const TYPE_NAMES = new Map<number, string>(Object.entries(Packet.TYPE).map(([name, code]) => [code as number, name]));

export function dnsTypeName(code: number): string {
  return TYPE_NAMES.get(code) ?? `TYPE${code}`;
}

const DEFAULT_TTL = 300;
const MAX_CNAME_CHAIN = 8;

export interface DnsOptions {
  table: HostTable;
  /** The world serves ::1: default AAAA answers. */
  ipv6: boolean;
  log(entry: DnsQueryLogEntry): void;
  /** Pending delayed answers; cleared by the world on stop. */
  timers: Set<NodeJS.Timeout>;
}

export interface DnsServerHandle {
  port: number;
  close(): Promise<void>;
}

/** mulberry32: small deterministic PRNG returning [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SECOND_LEVEL = new Set(['gov', 'com', 'edu', 'org', 'net', 'ac', 'mil']);

/** A plausible zone apex for a name ('www.yaan.gov.cn' -> 'yaan.gov.cn'). */
export function zoneApex(name: string): string {
  const labels = normalizeName(name).split('.');
  if (labels.length <= 2) return labels.join('.');
  const tld = labels[labels.length - 1] ?? '';
  const sld = labels[labels.length - 2] ?? '';
  const keep = tld.length === 2 && SECOND_LEVEL.has(sld) ? 3 : 2;
  return labels.slice(-keep).join('.');
}

function soaRecord(owner: string, ttl: number, primary?: string): Resource {
  const apex = zoneApex(owner);
  const d = new Date();
  const serial = Number(
    `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}01`,
  );
  return new Packet.Resource({
    name: owner,
    type: Packet.TYPE.SOA,
    class: Packet.CLASS.IN,
    ttl,
    primary: primary ?? `ns1.${apex}`,
    admin: `hostmaster.${apex}`,
    serial,
    refresh: 3600,
    retry: 600,
    expiration: 604800,
    minimum: DEFAULT_TTL,
  });
}

/** TXT strings longer than 255 bytes are split into several character-strings. */
function txtChunks(text: string): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return [bytes];
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) chunks.push(bytes.subarray(i, i + 255));
  return chunks;
}

function hasRecordData(d: DnsSpec | undefined): boolean {
  return Boolean(d && (d.a || d.aaaa || d.cname || d.ns || d.mx || d.txt || d.caa || d.soa));
}

/** The records of `spec` of type `qtype` (ANY: all), owned by `owner`. */
function recordsFor(spec: HostSpec, owner: string, qtype: number, ipv6: boolean): Resource[] {
  const d = spec.dns;
  const ttl = d?.ttl ?? DEFAULT_TTL;
  const IN = Packet.CLASS.IN;
  const T = Packet.TYPE;
  const any = qtype === T.ANY;
  const out: Resource[] = [];
  const rr = (type: number, fields: Partial<Resource>): void => {
    out.push(new Packet.Resource({ name: owner, type, class: IN, ttl, ...fields }));
  };
  if (d?.cname) {
    if (any || qtype === T.CNAME) rr(T.CNAME, { domain: d.cname });
    return out;
  }
  const explicit = hasRecordData(d);
  const a = d?.a ?? (explicit ? [] : ['127.0.0.1']);
  const aaaa = d?.aaaa ?? (explicit || !ipv6 ? [] : ['::1']);
  if (any || qtype === T.A) for (const address of a) rr(T.A, { address });
  if (any || qtype === T.AAAA) for (const address of aaaa) rr(T.AAAA, { address });
  if (any || qtype === T.NS) for (const ns of d?.ns ?? []) rr(T.NS, { ns });
  if (any || qtype === T.MX) for (const mx of d?.mx ?? []) rr(T.MX, { priority: mx.priority, exchange: mx.exchange });
  if (any || qtype === T.TXT) {
    for (const txt of d?.txt ?? []) rr(T.TXT, { data: txtChunks(txt) as unknown as string[] });
  }
  if (any || qtype === T.CAA) {
    for (const caa of d?.caa ?? []) rr(T.CAA, { flags: caa.flags, tag: caa.tag, value: caa.value });
  }
  if ((any || qtype === T.SOA) && d?.soa) out.push(soaRecord(owner, ttl, d.ns?.[0]));
  return out;
}

const RCODES = { NXDOMAIN: RCODE.NXDOMAIN, SERVFAIL: RCODE.SERVFAIL, REFUSED: RCODE.REFUSED } as const;

/** Builds the authoritative answer for a request. */
export function buildResponse(request: DnsPacket, table: HostTable, ipv6: boolean): DnsPacket {
  const response = Packet.createResponseFromRequest(request);
  response.header.aa = 1;
  const question = request.questions[0];
  if (!question || request.header.opcode !== 0) {
    response.header.rcode = question ? RCODE.NOTIMP : RCODE.FORMERR;
    return response;
  }
  const qname = question.name.replace(/\.+$/, '');
  const qtype = question.type;
  const spec = table.find(qname);
  if (!spec) {
    if (!table.isEmptyNonTerminal(qname)) response.header.rcode = RCODE.NXDOMAIN;
    response.authorities.push(soaRecord(zoneApex(qname), DEFAULT_TTL));
    return response;
  }
  if (spec.dns?.rcode) {
    response.header.rcode = RCODES[spec.dns.rcode];
    return response;
  }
  let current = spec;
  let owner = qname;
  for (let depth = 0; ; depth++) {
    const cname = current.dns?.cname;
    if (cname && qtype !== Packet.TYPE.CNAME && qtype !== Packet.TYPE.ANY) {
      // Answer the CNAME and, like an authoritative server holding the target
      // too, follow it inside the world.
      response.answers.push(...recordsFor(current, owner, Packet.TYPE.CNAME, ipv6));
      const target = cname.replace(/\.+$/, '');
      const next = table.find(target);
      if (!next || next.dns?.rcode || depth >= MAX_CNAME_CHAIN) break;
      current = next;
      owner = target;
      continue;
    }
    response.answers.push(...recordsFor(current, owner, qtype, ipv6));
    break;
  }
  if (response.answers.length === 0) response.authorities.push(soaRecord(zoneApex(qname), DEFAULT_TTL));
  return response;
}

/** Starts UDP and TCP DNS on the same port of 127.0.0.1. */
export async function startDns(options: DnsOptions): Promise<DnsServerHandle> {
  const { table, ipv6, log, timers } = options;
  const rngs = new Map<string, () => number>();
  let closed = false;

  const handle: DnsHandler = (request, send) => {
    const question = request.questions[0];
    const qname = question ? question.name.replace(/\.+$/, '') : '';
    if (question) log({ name: qname, type: dnsTypeName(question.type), at: Date.now() });
    const d = question ? table.find(qname)?.dns : undefined;
    if (d?.drop === true) return;
    if (typeof d?.drop === 'number' && d.drop > 0) {
      const key = normalizeName(qname);
      let rng = rngs.get(key);
      if (!rng) {
        rng = mulberry32(fnv1a(key)); // seeded per name
        rngs.set(key, rng);
      }
      if (rng() < d.drop) return;
    }
    const reply = (): void => {
      if (closed) return;
      try {
        const response = buildResponse(request, table, ipv6);
        Promise.resolve(send(response)).catch(() => undefined);
      } catch {
        // a socket closed under us, or an unencodable record: no answer
      }
    };
    if (d?.delayMs && d.delayMs > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        reply();
      }, d.delayMs);
      timers.add(timer);
    } else {
      reply();
    }
  };

  let lastError: unknown;
  for (let attempt = 0; attempt < 10; attempt++) {
    const udp = dns2.createUDPServer({ type: 'udp4' });
    udp.on('request', handle);
    udp.on('requestError', () => undefined);
    await whenListening(udp, () => udp.bind(0, '127.0.0.1'));
    udp.on('error', () => undefined);
    const port = udp.address().port;
    const tcp = dns2.createTCPServer();
    tcp.on('request', handle);
    tcp.on('requestError', () => undefined);
    const sockets = new Set<Socket>();
    tcp.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    try {
      await whenListening(tcp, () => tcp.listen(port, '127.0.0.1'));
    } catch (err) {
      lastError = err;
      udp.close();
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
      throw err;
    }
    tcp.on('error', () => undefined);
    return {
      port,
      close: async () => {
        closed = true;
        for (const socket of sockets) socket.destroy();
        await Promise.all([
          new Promise<void>((resolve) => {
            try {
              udp.close(() => resolve());
            } catch {
              resolve();
            }
          }),
          new Promise<void>((resolve) => tcp.close(() => resolve())),
        ]);
      },
    };
  }
  throw new Error(`testbed: could not bind DNS UDP and TCP on one port: ${String(lastError)}`);
}
