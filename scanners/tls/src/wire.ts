/**
 * TLS on the wire, by hand: ClientHello records for SSLv3, TLS 1.0–1.3 and
 * TLCP (GB/T 38636, version 0x0101), and a parser for the server's first
 * flight (ServerHello / HelloRetryRequest / Alert, optionally on to
 * Certificate, CertificateStatus and ServerHelloDone). Nothing is decrypted.
 *
 * Record layouts: RFC 5246 §6.2 and §7.4, RFC 8446 §4.1 and §4.2, RFC 6066
 * (server_name, status_request), RFC 7685 (padding), RFC 8998 (SM in TLS 1.3).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { networkTimer } from '@govscan/net';

export const PROTOCOLS = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3', 'TLCP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const VERSION_CODE: Record<Protocol, number> = {
  SSLv3: 0x0300,
  'TLSv1.0': 0x0301,
  'TLSv1.1': 0x0302,
  'TLSv1.2': 0x0303,
  'TLSv1.3': 0x0304,
  TLCP: 0x0101,
};

export function protocolOf(version: number): Protocol | null {
  for (const p of PROTOCOLS) if (VERSION_CODE[p] === version) return p;
  return null;
}

/** Named groups (IANA "TLS Supported Groups"). */
export const GROUPS: Record<string, number> = {
  sect163k1: 0x0001, sect163r1: 0x0002, sect163r2: 0x0003, sect193r1: 0x0004, sect193r2: 0x0005,
  sect233k1: 0x0006, sect233r1: 0x0007, sect239k1: 0x0008, sect283k1: 0x0009, sect283r1: 0x000a,
  sect409k1: 0x000b, sect409r1: 0x000c, sect571k1: 0x000d, sect571r1: 0x000e, secp160k1: 0x000f,
  secp160r1: 0x0010, secp160r2: 0x0011, secp192k1: 0x0012, secp192r1: 0x0013, secp224k1: 0x0014,
  secp224r1: 0x0015, secp256k1: 0x0016, secp256r1: 0x0017, secp384r1: 0x0018, secp521r1: 0x0019,
  brainpoolP256r1: 0x001a, brainpoolP384r1: 0x001b, brainpoolP512r1: 0x001c, x25519: 0x001d, x448: 0x001e,
  brainpoolP256r1tls13: 0x001f, brainpoolP384r1tls13: 0x0020, brainpoolP512r1tls13: 0x0021, curveSM2: 0x0029,
  ffdhe2048: 0x0100, ffdhe3072: 0x0101, ffdhe4096: 0x0102, ffdhe6144: 0x0103, ffdhe8192: 0x0104,
  SecP256r1MLKEM768: 0x11eb, X25519MLKEM768: 0x11ec, SecP384r1MLKEM1024: 0x11ed,
};
const GROUP_NAMES = new Map(Object.entries(GROUPS).map(([k, v]) => [v, k]));
export function groupName(code: number): string {
  return GROUP_NAMES.get(code) ?? `0x${code.toString(16).padStart(4, '0')}`;
}

/** Every group offered when the point is to get a ServerHello, not to test a group. */
export const ALL_GROUPS: readonly number[] = [
  GROUPS.x25519!, GROUPS.secp256r1!, GROUPS.secp384r1!, GROUPS.secp521r1!, GROUPS.x448!,
  GROUPS.X25519MLKEM768!, GROUPS.SecP256r1MLKEM768!, GROUPS.curveSM2!,
  GROUPS.brainpoolP256r1!, GROUPS.brainpoolP384r1!, GROUPS.brainpoolP512r1!,
  GROUPS.brainpoolP256r1tls13!, GROUPS.brainpoolP384r1tls13!, GROUPS.brainpoolP512r1tls13!,
  GROUPS.secp256k1!, GROUPS.secp224r1!, GROUPS.secp224k1!, GROUPS.secp192r1!, GROUPS.secp192k1!,
  GROUPS.secp160r2!, GROUPS.secp160r1!, GROUPS.secp160k1!,
  GROUPS.sect571r1!, GROUPS.sect571k1!, GROUPS.sect409r1!, GROUPS.sect409k1!, GROUPS.sect283r1!, GROUPS.sect283k1!,
  GROUPS.sect239k1!, GROUPS.sect233r1!, GROUPS.sect233k1!, GROUPS.sect193r2!, GROUPS.sect193r1!,
  GROUPS.sect163r2!, GROUPS.sect163r1!, GROUPS.sect163k1!,
  GROUPS.ffdhe2048!, GROUPS.ffdhe3072!, GROUPS.ffdhe4096!, GROUPS.ffdhe6144!, GROUPS.ffdhe8192!,
];

/** signature_algorithms offered: modern first, SHA-1/MD5-era last so legacy servers still answer. */
const SIGNATURE_ALGORITHMS = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b,
  0x0401, 0x0501, 0x0601, 0x0708, 0x0303, 0x0301, 0x0302, 0x0203, 0x0201, 0x0202, 0x0402, 0x0502, 0x0602, 0x0101,
];

const EXT = {
  serverName: 0,
  statusRequest: 5,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  padding: 21,
  supportedVersions: 43,
  pskKeyExchangeModes: 45,
  keyShare: 51,
  renegotiationInfo: 0xff01,
} as const;

const RENEGOTIATION_SCSV = 0x00ff;

/** RFC 8446 §4.1.3: the random of a HelloRetryRequest. */
export const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

let x25519Public: Buffer | undefined;
/** A real x25519 public key (one per process: no handshake is ever completed). */
export function x25519Key(): Buffer {
  if (!x25519Public) {
    const { publicKey } = generateKeyPairSync('x25519');
    x25519Public = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  }
  return x25519Public;
}

function u8(n: number): Buffer {
  return Buffer.from([n & 0xff]);
}
function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
}
function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}
function vec16(body: Buffer): Buffer {
  return Buffer.concat([u16(body.length), body]);
}
function vec8(body: Buffer): Buffer {
  return Buffer.concat([u8(body.length), body]);
}
function list16(values: readonly number[]): Buffer {
  return Buffer.concat(values.map(u16));
}
function ext(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), vec16(body)]);
}

export interface KeyShare {
  group: number;
  key: Buffer;
}

export interface HelloOptions {
  protocol: Protocol;
  /** Cipher suite codes, in preference order. */
  suites: readonly number[];
  serverName?: string;
  /** supported_groups (default: ALL_GROUPS; TLS 1.0–1.3). */
  groups?: readonly number[];
  /** TLS 1.3 key shares (default: one x25519 share when x25519 is among the groups). `[]` asks for a HelloRetryRequest. */
  keyShares?: readonly KeyShare[];
  /** Ask for a stapled OCSP response (status_request). */
  statusRequest?: boolean;
}

/** One ClientHello record. */
export function buildClientHello(o: HelloOptions): Buffer {
  const tls13 = o.protocol === 'TLSv1.3';
  const tlcp = o.protocol === 'TLCP';
  const ssl3 = o.protocol === 'SSLv3';
  const clientVersion = tls13 ? 0x0303 : VERSION_CODE[o.protocol];
  const suites = tls13 || tlcp ? [...o.suites] : [...o.suites, RENEGOTIATION_SCSV];
  const groups = o.groups ?? ALL_GROUPS;
  const extensions: Buffer[] = [];
  if (!ssl3) {
    if (o.serverName && !/^[\d.]+$|:/.test(o.serverName)) {
      const name = Buffer.from(o.serverName, 'ascii');
      extensions.push(ext(EXT.serverName, vec16(Buffer.concat([u8(0), vec16(name)]))));
    }
    if (!tlcp) {
      extensions.push(ext(EXT.supportedGroups, vec16(list16(groups))));
      extensions.push(ext(EXT.ecPointFormats, vec8(Buffer.from([0, 1, 2]))));
      if (o.protocol === 'TLSv1.2' || tls13) extensions.push(ext(EXT.signatureAlgorithms, vec16(list16(SIGNATURE_ALGORITHMS))));
      if (o.statusRequest) extensions.push(ext(EXT.statusRequest, Buffer.from([1, 0, 0, 0, 0])));
    }
    if (tls13) {
      extensions.push(ext(EXT.supportedVersions, vec8(u16(0x0304))));
      extensions.push(ext(EXT.pskKeyExchangeModes, vec8(Buffer.from([1]))));
      const shares = o.keyShares ?? (groups.includes(GROUPS.x25519!) ? [{ group: GROUPS.x25519!, key: x25519Key() }] : []);
      extensions.push(ext(EXT.keyShare, vec16(Buffer.concat(shares.map((s) => Buffer.concat([u16(s.group), vec16(s.key)]))))));
    }
  }
  const sessionId = tls13 ? randomBytes(32) : Buffer.alloc(0);
  const head = Buffer.concat([u16(clientVersion), randomBytes(32), vec8(sessionId), vec16(list16(suites)), vec8(Buffer.from([0]))]);
  let extBlock = Buffer.concat(extensions);
  // RFC 7685: some servers hang on hellos of 256–511 bytes; pad those to 512.
  const bodyLength = head.length + (extensions.length ? 2 + extBlock.length : 0);
  if (!ssl3 && !tlcp && bodyLength + 4 >= 256 && bodyLength + 4 < 512) {
    const pad = Math.max(0, 512 - (bodyLength + 4) - 4 - (extensions.length ? 0 : 2));
    extBlock = Buffer.concat([extBlock, ext(EXT.padding, Buffer.alloc(pad))]);
  }
  const body = extBlock.length ? Buffer.concat([head, vec16(extBlock)]) : head;
  const handshake = Buffer.concat([u8(1), u24(body.length), body]);
  const recordVersion = ssl3 ? 0x0300 : tlcp ? 0x0101 : 0x0301;
  return Buffer.concat([u8(22), u16(recordVersion), u16(handshake.length), handshake]);
}

// ---------------------------------------------------------------------------
// The server's first flight.

export interface ServerHello {
  kind: 'server-hello';
  /** Negotiated version: supported_versions when present, else the legacy version field. */
  version: number;
  protocol: Protocol | null;
  suite: number;
  compression: number;
  /** A HelloRetryRequest (TLS 1.3): the server wants another key share. */
  hrr: boolean;
  /** TLS 1.3 key_share group (HRR: the selected group). */
  group: number | null;
  extensions: number[];
  /** DER certificates as sent (when reading on to the Certificate message). */
  certificates: Buffer[] | null;
  /** A CertificateStatus message came in the first flight (OCSP stapling). */
  ocspStapled: boolean | null;
  /** Bytes read. */
  bytes: number;
  /** Reading on to the certificates failed after the ServerHello (stall, truncation, size limit). */
  certError: { code: string; message: string } | null;
}

export interface AlertReply {
  kind: 'alert';
  level: number;
  description: number;
  bytes: number;
}

/** The server closed the connection cleanly without sending a byte. */
export interface ClosedReply {
  kind: 'closed';
}

export type FlightError = {
  kind: 'error';
  /** ETIMEDOUT, ECONNRESET, EGARBAGE, ETRUNCATED, ETOOBIG, EUNEXPECTED, EABORTED, … */
  code: string;
  message: string;
  bytes: number;
};

export type FirstFlight = ServerHello | AlertReply | ClosedReply | FlightError;

export const ALERTS: Record<number, string> = {
  0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac', 22: 'record_overflow', 40: 'handshake_failure',
  42: 'bad_certificate', 43: 'unsupported_certificate', 47: 'illegal_parameter', 48: 'unknown_ca', 50: 'decode_error',
  51: 'decrypt_error', 70: 'protocol_version', 71: 'insufficient_security', 80: 'internal_error',
  86: 'inappropriate_fallback', 90: 'user_canceled', 109: 'missing_extension', 110: 'unsupported_extension',
  112: 'unrecognized_name', 116: 'certificate_required', 120: 'no_application_protocol',
};

const MAX_RECORD = 16384 + 2048;

/**
 * Incremental parser of the server's first flight. Feed it bytes; it says
 * when it has an answer. Robust to fragmentation (a handshake message over
 * several records, several messages in one record, records split anywhere).
 */
export class FlightParser {
  private buf: Buffer = Buffer.alloc(0);
  private hs: Buffer = Buffer.alloc(0);
  private total = 0;
  /** The ServerHello, once parsed (reading may go on to the certificates). */
  hello: ServerHello | null = null;
  result: FirstFlight | null = null;

  /** `readCertificates`: go on past the ServerHello to Certificate/CertificateStatus/ServerHelloDone (TLS ≤ 1.2, TLCP). */
  constructor(private readonly o: { readCertificates: boolean; maxBytes: number }) {}

  get bytes(): number {
    return this.total;
  }

  push(chunk: Buffer): FirstFlight | null {
    if (this.result) return this.result;
    this.total += chunk.length;
    if (this.total > this.o.maxBytes) return this.fail('ETOOBIG', `first flight larger than ${this.o.maxBytes} bytes`);
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (!this.result && this.buf.length >= 5) {
      const type = this.buf[0]!;
      const major = this.buf[1]!;
      const minor = this.buf[2]!;
      const length = this.buf.readUInt16BE(3);
      const versionOk = major === 3 || (major === 1 && minor === 1);
      if (type < 20 || type > 23 || !versionOk || length > MAX_RECORD) {
        const g = this.garbage();
        return this.fail(g.code, g.message);
      }
      if (this.buf.length < 5 + length) break;
      const payload = this.buf.subarray(5, 5 + length);
      this.buf = this.buf.subarray(5 + length);
      this.record(type, payload);
    }
    return this.result;
  }

  /** The peer ended the stream (FIN). */
  end(): FirstFlight {
    if (this.result) return this.result;
    if (this.total === 0) return this.finish({ kind: 'closed' });
    return this.fail('ETRUNCATED', `connection closed after ${this.total} bytes, in the middle of the first flight`);
  }

  /** Stop with an error; after a ServerHello the hello is kept and the error is the certificates'. */
  fail(code: string, message: string): FirstFlight {
    if (this.result) return this.result;
    if (this.hello) {
      this.hello.certError = { code, message };
      this.hello.bytes = this.total;
      return this.finish(this.hello);
    }
    return this.finish({ kind: 'error', code, message, bytes: this.total });
  }

  private finish(r: FirstFlight): FirstFlight {
    this.result = r;
    return r;
  }

  private garbage(): FlightError {
    const head = this.buf.subarray(0, 8);
    const text = /^[A-Z]{3,10}[ /]/.test(head.toString('latin1')) ? ` (looks like plain text: ${JSON.stringify(head.toString('latin1'))})` : '';
    return { kind: 'error', code: 'EGARBAGE', message: `not a TLS record: ${head.toString('hex')}${text}`, bytes: this.total };
  }

  private record(type: number, payload: Buffer): void {
    if (type === 21) {
      if (this.hello) {
        // an alert after the ServerHello: the handshake stops here; keep the hello
        this.finish(this.hello);
        return;
      }
      if (payload.length < 2) {
        this.finish({ kind: 'error', code: 'EGARBAGE', message: 'alert record shorter than 2 bytes', bytes: this.total });
        return;
      }
      this.finish({ kind: 'alert', level: payload[0]!, description: payload[1]!, bytes: this.total });
      return;
    }
    if (type !== 22) {
      // ChangeCipherSpec / application data: only legitimate after a TLS 1.3 ServerHello.
      if (this.hello) this.finish(this.hello);
      else this.finish({ kind: 'error', code: 'EUNEXPECTED', message: `record type ${type} before the ServerHello`, bytes: this.total });
      return;
    }
    this.hs = this.hs.length ? Buffer.concat([this.hs, payload]) : payload;
    while (!this.result && this.hs.length >= 4) {
      const msgType = this.hs[0]!;
      const len = this.hs.readUIntBE(1, 3);
      if (len > this.o.maxBytes) {
        this.fail('ETOOBIG', `handshake message of ${len} bytes (limit ${this.o.maxBytes})`);
        return;
      }
      if (this.hs.length < 4 + len) return;
      const body = this.hs.subarray(4, 4 + len);
      this.hs = this.hs.subarray(4 + len);
      this.message(msgType, body);
    }
  }

  private message(type: number, body: Buffer): void {
    if (!this.hello) {
      if (type !== 2) {
        this.finish({ kind: 'error', code: 'EUNEXPECTED', message: `handshake message ${type} before the ServerHello`, bytes: this.total });
        return;
      }
      const hello = parseServerHello(body, this.total);
      if (!hello) {
        this.finish({ kind: 'error', code: 'EGARBAGE', message: 'malformed ServerHello', bytes: this.total });
        return;
      }
      this.hello = hello;
      if (!this.o.readCertificates || hello.hrr || hello.version === 0x0304) this.finish(hello);
      return;
    }
    const hello = this.hello;
    hello.bytes = this.total;
    if (type === 11) {
      hello.certificates = parseCertificateList(body);
      hello.ocspStapled ??= false;
    } else if (type === 22) {
      hello.ocspStapled = true;
    } else if (type === 14) {
      hello.ocspStapled ??= false;
      this.finish(hello);
    }
  }
}

function parseServerHello(b: Buffer, bytes: number): ServerHello | null {
  try {
    let p = 0;
    const legacy = b.readUInt16BE(p);
    p += 2;
    const random = b.subarray(p, p + 32);
    if (random.length < 32) return null;
    p += 32;
    const sidLen = b[p]!;
    p += 1 + sidLen;
    const suite = b.readUInt16BE(p);
    p += 2;
    const compression = b[p]!;
    if (compression === undefined) return null;
    p += 1;
    const extensions: number[] = [];
    let version = legacy;
    let group: number | null = null;
    const hrr = random.equals(HRR_RANDOM);
    if (p + 2 <= b.length) {
      const end = p + 2 + b.readUInt16BE(p);
      if (end > b.length) return null;
      p += 2;
      while (p + 4 <= end) {
        const type = b.readUInt16BE(p);
        const len = b.readUInt16BE(p + 2);
        const data = b.subarray(p + 4, p + 4 + len);
        if (data.length < len) return null;
        extensions.push(type);
        if (type === EXT.supportedVersions && len >= 2) version = data.readUInt16BE(0);
        if (type === EXT.keyShare && len >= 2) group = data.readUInt16BE(0);
        p += 4 + len;
      }
    }
    return { kind: 'server-hello', version, protocol: protocolOf(version), suite, compression, hrr, group, extensions, certificates: null, ocspStapled: null, bytes, certError: null };
  } catch {
    return null;
  }
}

function parseCertificateList(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  if (b.length < 3) return out;
  const total = Math.min(b.readUIntBE(0, 3), b.length - 3);
  let p = 3;
  while (p + 3 <= 3 + total) {
    const len = b.readUIntBE(p, 3);
    const cert = b.subarray(p + 3, p + 3 + len);
    if (cert.length < len) break;
    out.push(Buffer.from(cert));
    p += 3 + len;
  }
  return out;
}

/**
 * Send `hello` on a connected socket and read the server's first flight,
 * within `timeoutMs` and `maxBytes`. Always destroys the socket.
 */
export function exchange(socket: Socket, hello: Buffer, o: { timeoutMs: number; maxBytes: number; readCertificates: boolean; signal?: AbortSignal }): Promise<FirstFlight> {
  const parser = new FlightParser({ readCertificates: o.readCertificates, maxBytes: o.maxBytes });
  return new Promise<FirstFlight>((resolve) => {
    let settled = false;
    const done = (r: FirstFlight): void => {
      if (settled) return;
      settled = true;
      cancel();
      o.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('data');
      socket.destroy();
      resolve(r);
    };
    const cancel = networkTimer(o.timeoutMs, () => {
      const b = parser.bytes;
      done(parser.fail('ETIMEDOUT', b ? `the server stalled after ${b} bytes (no complete answer within ${o.timeoutMs} ms)` : `no answer within ${o.timeoutMs} ms`));
    });
    const onAbort = (): void => done(parser.fail('EABORTED', 'aborted'));
    if (o.signal?.aborted) {
      onAbort();
      return;
    }
    o.signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('data', (chunk: Buffer) => {
      const r = parser.push(chunk);
      if (r) done(r);
    });
    socket.once('end', () => done(parser.end()));
    socket.once('close', () => done(parser.end()));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code === 'EPIPE' ? 'ECONNRESET' : (err.code ?? 'ESOCKET');
      done(parser.fail(code, `${code}: ${err.message}${parser.bytes ? ` after ${parser.bytes} bytes` : ''}`));
    });
    socket.write(hello);
  });
}
