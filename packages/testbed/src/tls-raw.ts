/**
 * A raw TLS responder: a `net` server that reads a ClientHello and answers
 * with the server's first flight — ServerHello (or HelloRetryRequest, or an
 * alert), then for TLS ≤ 1.2 and TLCP the Certificate, a ServerKeyExchange
 * (for ephemeral suites; its signature is filler) and ServerHelloDone — and
 * closes. It completes no handshake and encrypts nothing: it exists so that
 * scanners can be tested against protocol versions and cipher suites that
 * Node's OpenSSL no longer speaks (SSLv3, RC4, 3DES, export, TLCP…), and
 * against hostile servers.
 */
import { randomBytes } from 'node:crypto';
import net, { type Server, type Socket } from 'node:net';
import type { RawTlsProtocol, RawTlsSpec } from './types.js';

const VERSION: Record<RawTlsProtocol, number> = {
  SSLv3: 0x0300,
  'TLSv1.0': 0x0301,
  'TLSv1.1': 0x0302,
  'TLSv1.2': 0x0303,
  'TLSv1.3': 0x0304,
  TLCP: 0x0101,
};

const GROUP_CODES: Record<string, number> = {
  secp256r1: 0x0017, secp384r1: 0x0018, secp521r1: 0x0019, x25519: 0x001d, x448: 0x001e,
  curveSM2: 0x0029, ffdhe2048: 0x0100, ffdhe3072: 0x0101, X25519MLKEM768: 0x11ec, SecP256r1MLKEM768: 0x11eb,
};

/** Sizes of a key share per group (for a plausible ServerHello / ServerKeyExchange). */
const SHARE_BYTES: Record<number, number> = { 0x0017: 65, 0x0018: 97, 0x0019: 133, 0x001d: 32, 0x001e: 56, 0x0029: 65, 0x0100: 256, 0x0101: 384, 0x11ec: 1120, 0x11eb: 1153 };

const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

/** TLS 1.3 suite codes (RFC 8446, RFC 8998, RFC 9150, AEGIS). */
function isTls13Suite(c: number): boolean {
  return (c >= 0x1301 && c <= 0x1307) || c === 0x00c6 || c === 0x00c7 || c === 0xc0b4 || c === 0xc0b5;
}
/** TLCP suites live in 0xE0xx. */
function isTlcpSuite(c: number): boolean {
  return c >> 8 === 0xe0;
}
/** ECC suites (ECDH/ECDHE, RFC 8422 and later): need a common named group. */
function isEcSuite(c: number): boolean {
  if (c >= 0xc001 && c <= 0xc019) return true;
  if (c >= 0xc023 && c <= 0xc03b) return true;
  return [0xc048, 0xc049, 0xc04a, 0xc04b, 0xc04c, 0xc04d, 0xc04e, 0xc04f, 0xc05c, 0xc05d, 0xc05e, 0xc05f, 0xc060, 0xc061, 0xc062, 0xc063, 0xc070, 0xc071,
    0xc072, 0xc073, 0xc074, 0xc075, 0xc076, 0xc077, 0xc078, 0xc079, 0xc086, 0xc087, 0xc088, 0xc089, 0xc08a, 0xc08b, 0xc08c, 0xc08d, 0xc09a, 0xc09b,
    0xc0ac, 0xc0ad, 0xc0ae, 0xc0af, 0xcca8, 0xcca9, 0xccac, 0xd001, 0xd002, 0xd003, 0xd005].includes(c);
}
/** Ephemeral (EC)DH suites send a ServerKeyExchange. */
function isEphemeral(c: number): boolean {
  if (isEcSuite(c)) return !((c >= 0xc001 && c <= 0xc005) || (c >= 0xc00b && c <= 0xc00f) || (c >= 0xc025 && c <= 0xc02a && c !== 0xc027 && c !== 0xc028) || c === 0xc02d || c === 0xc02e || c === 0xc031 || c === 0xc032);
  return [0x0011, 0x0012, 0x0013, 0x0014, 0x0015, 0x0016, 0x0017, 0x0018, 0x0019, 0x001a, 0x001b, 0x0032, 0x0033, 0x0034, 0x0038, 0x0039, 0x003a, 0x0040, 0x0044, 0x0045, 0x0046,
    0x0067, 0x006a, 0x006b, 0x006c, 0x006d, 0x0087, 0x0088, 0x0089, 0x0099, 0x009a, 0x009b, 0x009e, 0x009f, 0x00a2, 0x00a3, 0x00a6, 0x00a7, 0x00bd, 0x00be, 0x00bf,
    0x00c3, 0x00c4, 0x00c5, 0xc042, 0xc043, 0xc044, 0xc045, 0xc046, 0xc047, 0xc052, 0xc053, 0xc056, 0xc057, 0xc05a, 0xc05b, 0xc07c, 0xc07d, 0xc080, 0xc081, 0xc084, 0xc085,
    0xc09e, 0xc09f, 0xc0a2, 0xc0a3, 0xccaa, 0xe011, 0xe051].includes(c);
}

interface ClientHello {
  recordVersion: number;
  version: number;
  sessionId: Buffer;
  suites: number[];
  extensions: Map<number, Buffer>;
  supportedVersions: number[] | null;
  groups: number[] | null;
  keyShareGroups: number[];
  serverName: string | null;
}

function parseClientHello(record: Buffer, body: Buffer): ClientHello | null {
  try {
    let p = 0;
    const version = body.readUInt16BE(p);
    p += 2 + 32;
    const sidLen = body[p]!;
    const sessionId = body.subarray(p + 1, p + 1 + sidLen);
    p += 1 + sidLen;
    const suitesLen = body.readUInt16BE(p);
    p += 2;
    const suites: number[] = [];
    for (let i = 0; i + 1 < suitesLen; i += 2) suites.push(body.readUInt16BE(p + i));
    p += suitesLen;
    const compLen = body[p]!;
    p += 1 + compLen;
    const extensions = new Map<number, Buffer>();
    if (p + 2 <= body.length) {
      const end = Math.min(body.length, p + 2 + body.readUInt16BE(p));
      p += 2;
      while (p + 4 <= end) {
        const type = body.readUInt16BE(p);
        const len = body.readUInt16BE(p + 2);
        extensions.set(type, body.subarray(p + 4, p + 4 + len));
        p += 4 + len;
      }
    }
    const sv = extensions.get(43);
    const supportedVersions = sv ? Array.from({ length: Math.floor((sv[0] ?? 0) / 2) }, (_, i) => sv.readUInt16BE(1 + 2 * i)) : null;
    const sg = extensions.get(10);
    const groups = sg ? Array.from({ length: Math.floor(sg.readUInt16BE(0) / 2) }, (_, i) => sg.readUInt16BE(2 + 2 * i)) : null;
    const ks = extensions.get(51);
    const keyShareGroups: number[] = [];
    if (ks && ks.length >= 2) {
      let q = 2;
      while (q + 4 <= ks.length) {
        keyShareGroups.push(ks.readUInt16BE(q));
        q += 4 + ks.readUInt16BE(q + 2);
      }
    }
    let serverName: string | null = null;
    const sni = extensions.get(0);
    if (sni && sni.length >= 5 && sni[2] === 0) serverName = sni.subarray(5, 5 + sni.readUInt16BE(3)).toString('ascii').toLowerCase();
    return { recordVersion: record.readUInt16BE(1), version, sessionId, suites, extensions, supportedVersions, groups, keyShareGroups, serverName };
  } catch {
    return null;
  }
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}
function record(type: number, version: number, payload: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let p = 0; p < payload.length || p === 0; p += 16384) {
    const chunk = payload.subarray(p, p + 16384);
    out.push(Buffer.concat([Buffer.from([type]), u16(version), u16(chunk.length), chunk]));
    if (payload.length === 0) break;
  }
  return Buffer.concat(out);
}
function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u24(body.length), body]);
}
function ext(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(body.length), body]);
}
function alert(version: number, description: number): Buffer {
  return record(21, version, Buffer.from([2, description]));
}

export interface Decision {
  kind: 'hello' | 'hrr' | 'alert';
  /** Send a CertificateStatus after the Certificate. */
  staple?: boolean;
  version: number;
  suite?: number;
  group?: number;
  alert?: number;
}

/** What a server configured with `spec` answers to `hello` (pure: exported for tests). */
export function decide(spec: RawTlsSpec, hello: ClientHello): Decision {
  const protocols = new Set(spec.protocols);
  const recordVersion = hello.recordVersion >= 0x0300 ? Math.min(hello.recordVersion, 0x0303) : hello.recordVersion;
  // 1. version
  let version: number | null = null;
  if (hello.version === 0x0101) {
    if (!protocols.has('TLCP')) return { kind: 'alert', version: 0x0101, alert: 70 };
    version = 0x0101;
  } else if (hello.supportedVersions && protocols.has('TLSv1.3') && hello.supportedVersions.includes(0x0304)) {
    version = 0x0304;
  } else {
    const offered = hello.supportedVersions ? Math.max(...hello.supportedVersions.filter((v) => v <= 0x0303), 0) : hello.version;
    for (const p of ['TLSv1.2', 'TLSv1.1', 'TLSv1.0', 'SSLv3'] as const) {
      if (protocols.has(p) && VERSION[p] <= offered) {
        version = VERSION[p];
        break;
      }
    }
    if (version === null) return { kind: 'alert', version: recordVersion, alert: 70 };
  }
  const proto = (Object.keys(VERSION) as RawTlsProtocol[]).find((p) => VERSION[p] === version)!;
  // 2. groups (TLS 1.3 key share; ECC suites of earlier versions)
  const serverGroups = (spec.groups ?? ['x25519', 'secp256r1', 'secp384r1']).map((g) => (typeof g === 'number' ? g : (GROUP_CODES[g] ?? -1)));
  const clientGroups = hello.groups ?? [];
  const commonGroups = spec.preferServerOrder === false ? clientGroups.filter((g) => serverGroups.includes(g)) : serverGroups.filter((g) => clientGroups.includes(g));
  // 3. suite
  const list = spec.suitesByProtocol?.[proto] ?? spec.suites;
  const usable = list.filter((c) => {
    if (version === 0x0304) return isTls13Suite(c);
    if (version === 0x0101) return isTlcpSuite(c);
    if (isTls13Suite(c) || isTlcpSuite(c)) return false;
    if (isEcSuite(c) && hello.groups !== null && commonGroups.length === 0) return false;
    return true;
  });
  const suite = spec.preferServerOrder === false ? hello.suites.find((c) => usable.includes(c)) : usable.find((c) => hello.suites.includes(c));
  if (suite === undefined) return { kind: 'alert', version: version === 0x0304 ? 0x0303 : version, alert: 40 };
  if (version === 0x0304) {
    const group = commonGroups[0];
    if (group === undefined) return { kind: 'alert', version: 0x0303, alert: 40 };
    if (!hello.keyShareGroups.includes(group)) {
      const shared = commonGroups.find((g) => hello.keyShareGroups.includes(g));
      if (shared === undefined) return { kind: 'hrr', version, suite, group };
      return { kind: 'hello', version, suite, group: shared };
    }
    return { kind: 'hello', version, suite, group };
  }
  const staple = Boolean(spec.ocspStaple && hello.extensions.has(5) && version !== 0x0300 && version !== 0x0101);
  return { kind: 'hello', version, suite, staple, ...(commonGroups[0] !== undefined && isEcSuite(suite) ? { group: commonGroups[0] } : {}) };
}

function serverHello(hello: ClientHello, d: Decision): Buffer {
  const tls13 = d.version === 0x0304;
  const exts: Buffer[] = [];
  if (tls13) {
    exts.push(ext(43, u16(0x0304)));
    if (d.kind === 'hrr') exts.push(ext(51, u16(d.group!)));
    else exts.push(ext(51, Buffer.concat([u16(d.group!), u16(SHARE_BYTES[d.group!] ?? 32), randomBytes(SHARE_BYTES[d.group!] ?? 32)])));
  } else if (d.version !== 0x0300 && d.version !== 0x0101) {
    if (hello.suites.includes(0x00ff) || hello.extensions.has(0xff01)) exts.push(ext(0xff01, Buffer.from([0])));
    if (d.group !== undefined) exts.push(ext(11, Buffer.from([1, 0])));
    if (d.staple) exts.push(ext(5, Buffer.alloc(0)));
  }
  const random = d.kind === 'hrr' ? HRR_RANDOM : randomBytes(32);
  const sessionId = tls13 ? hello.sessionId : randomBytes(32);
  const body = Buffer.concat([
    u16(tls13 ? 0x0303 : d.version),
    random,
    Buffer.from([sessionId.length]),
    sessionId,
    u16(d.suite!),
    Buffer.from([0]),
    ...(exts.length ? [u16(Buffer.concat(exts).length), ...exts] : []),
  ]);
  return handshake(2, body);
}

function firstFlight(hello: ClientHello, d: Decision, chain: Buffer[]): Buffer {
  const recordVersion = d.version === 0x0304 ? 0x0303 : d.version;
  if (d.kind === 'alert') return alert(d.version, d.alert!);
  const msgs = [serverHello(hello, d)];
  if (d.version !== 0x0304) {
    const certs = Buffer.concat(chain.map((c) => Buffer.concat([u24(c.length), c])));
    msgs.push(handshake(11, Buffer.concat([u24(certs.length), certs])));
    if (d.staple) msgs.push(handshake(22, Buffer.concat([Buffer.from([1]), u24(5), Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x03])])));
    if (isEphemeral(d.suite!)) {
      // Filler parameters and signature: enough for a parser, nothing a client can verify.
      const group = d.group ?? 0x0017;
      const params = isEcSuite(d.suite!) || d.version === 0x0101
        ? Buffer.concat([Buffer.from([3]), u16(group), Buffer.from([SHARE_BYTES[group] ?? 65]), randomBytes(SHARE_BYTES[group] ?? 65)])
        : Buffer.concat([u16(256), randomBytes(256), u16(1), Buffer.from([2]), u16(256), randomBytes(256)]);
      const sig = d.version === 0x0303 ? Buffer.concat([u16(0x0401), u16(256), randomBytes(256)]) : Buffer.concat([u16(256), randomBytes(256)]);
      msgs.push(handshake(12, Buffer.concat([params, sig])));
    }
    msgs.push(handshake(14, Buffer.alloc(0)));
  }
  return record(22, recordVersion, Buffer.concat(msgs));
}

/** Reads one ClientHello (possibly fragmented over records and TCP segments); null on garbage. */
class HelloReader {
  private buf = Buffer.alloc(0);
  private hs = Buffer.alloc(0);
  private firstRecord: Buffer | null = null;
  push(chunk: Buffer): { hello: ClientHello } | { bad: true } | null {
    this.buf = Buffer.concat([this.buf, chunk]);
    if (this.buf.length > 1 << 17) return { bad: true };
    while (this.buf.length >= 5) {
      if (this.buf[0] !== 22 || (this.buf[1] !== 3 && this.buf[1] !== 1)) return { bad: true };
      const len = this.buf.readUInt16BE(3);
      if (this.buf.length < 5 + len) return null;
      this.firstRecord ??= Buffer.from(this.buf.subarray(0, 5));
      this.hs = Buffer.concat([this.hs, this.buf.subarray(5, 5 + len)]);
      this.buf = this.buf.subarray(5 + len);
      if (this.hs.length >= 4) {
        if (this.hs[0] !== 1) return { bad: true };
        const mlen = this.hs.readUIntBE(1, 3);
        if (this.hs.length >= 4 + mlen) {
          const hello = parseClientHello(this.firstRecord, this.hs.subarray(4, 4 + mlen));
          return hello ? { hello } : { bad: true };
        }
      }
    }
    return null;
  }
}

export interface RawTlsServer {
  port: number;
  /** Addresses listened on. */
  addresses: string[];
  /** ClientHellos received (last 10,000): SNI and the version offered. */
  hellos: { serverName: string | null; version: number; suites: number; at: number }[];
  close(): Promise<void>;
}

const HOSTILE_CHUNK = Buffer.alloc(64 * 1024, 0x41);

function handle(socket: Socket, spec: RawTlsSpec, chain: Buffer[], log: RawTlsServer['hellos'], timers: Set<NodeJS.Timeout>): void {
  const reader = new HelloReader();
  socket.on('error', () => undefined);
  const idle = setTimeout(() => socket.destroy(), 30_000);
  timers.add(idle);
  socket.once('close', () => {
    clearTimeout(idle);
    timers.delete(idle);
  });
  const onData = (chunk: Buffer): void => {
    const r = reader.push(chunk);
    if (!r) return;
    socket.off('data', onData);
    if ('bad' in r) {
      socket.end(alert(0x0301, 50));
      return;
    }
    const hello = r.hello;
    if (log.length >= 10_000) log.splice(0, 1000);
    log.push({ serverName: hello.serverName, version: hello.supportedVersions ? Math.max(...hello.supportedVersions) : hello.version, suites: hello.suites.length, at: Date.now() });
    const d = decide(spec, hello);
    switch (spec.behaviour) {
      case 'stall': {
        // the start of the answer (at most 9 bytes, never all of it), then nothing, ever
        const flight = firstFlight(hello, d, chain);
        socket.write(flight.subarray(0, Math.min(flight.length - 1, 9)));
        return;
      }
      case 'garbage':
        socket.end(Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n\x00\xff\xfe garbage that is not TLS', 'latin1'));
        return;
      case 'truncate': {
        const flight = firstFlight(hello, d, chain);
        socket.end(flight.subarray(0, Math.min(flight.length - 1, 40)));
        return;
      }
      case 'reset':
        socket.resetAndDestroy();
        return;
      case 'huge-cert-list': {
        if (d.kind === 'alert') {
          socket.end(firstFlight(hello, d, chain));
          return;
        }
        // A ServerHello, then a Certificate message that claims 16 MiB and
        // streams filler (with backpressure) until the client gives up.
        const version = d.version === 0x0304 ? 0x0303 : d.version;
        const sh = serverHello(hello, d);
        const certHeader = Buffer.concat([Buffer.from([11]), u24(0xfffff0), u24(0xffffed), u24(0xffffea)]);
        socket.write(record(22, version, Buffer.concat([sh, certHeader])));
        let sent = 0;
        const pump = (): void => {
          while (sent < 0xfffff0 && !socket.destroyed) {
            sent += HOSTILE_CHUNK.length;
            const rec = Buffer.concat([Buffer.from([22]), u16(version), u16(16384), HOSTILE_CHUNK.subarray(0, 16384)]);
            if (!socket.write(rec)) {
              socket.once('drain', pump);
              return;
            }
          }
          socket.end();
        };
        pump();
        return;
      }
      default:
        socket.end(firstFlight(hello, d, chain));
    }
  };
  socket.on('data', onData);
}

/**
 * Start a responder for one host on `addresses` (same port on each; the first
 * binds port 0). `chain`: DER certificates sent in the Certificate message.
 */
export async function startRawTls(spec: RawTlsSpec, chain: Buffer[], addresses: string[], sockets: Set<Socket>, timers: Set<NodeJS.Timeout>): Promise<RawTlsServer> {
  const hellos: RawTlsServer['hellos'] = [];
  const servers: Server[] = [];
  const listen = (address: string, port: number): Promise<Server> =>
    new Promise((resolve, reject) => {
      const byAddress = spec.byAddress?.[address];
      const effective: RawTlsSpec = byAddress ? { ...spec, ...byAddress } : spec;
      const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        handle(socket, effective, chain, hellos, timers);
      });
      server.once('error', reject);
      server.listen({ port, host: address, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', () => undefined);
        resolve(server);
      });
    });
  let lastError: unknown;
  for (let attempt = 0; attempt < 10; attempt++) {
    const bound: Server[] = [];
    try {
      const first = await listen(addresses[0]!, 0);
      bound.push(first);
      const address = first.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      for (const a of addresses.slice(1)) bound.push(await listen(a, port));
      servers.push(...bound);
      return {
        port,
        addresses,
        hellos,
        close: () => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined),
      };
    } catch (err) {
      lastError = err;
      await Promise.all(bound.map((s) => new Promise<void>((r) => s.close(() => r()))));
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  throw new Error(`testbed: could not bind the raw TLS responder: ${String(lastError)}`);
}
