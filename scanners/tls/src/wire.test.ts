import { describe, expect, it } from 'vitest';
import { candidateSuites } from './enumerate.js';
import { grade, type GradeInput } from './grade.js';
import { LEGACY_SUITES, SUITES, TLCP, suiteByCode, suiteClasses } from './suites.js';
import { buildClientHello, FlightParser, HRR_RANDOM } from './wire.js';

function record(type: number, version: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h[0] = type;
  h.writeUInt16BE(version, 1);
  h.writeUInt16BE(payload.length, 3);
  return Buffer.concat([h, payload]);
}
function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
}
function serverHello(version: number, suite: number, opts: { random?: Buffer; ext?: Buffer } = {}): Buffer {
  const v = Buffer.alloc(2);
  v.writeUInt16BE(version);
  const s = Buffer.alloc(2);
  s.writeUInt16BE(suite);
  const parts = [v, opts.random ?? Buffer.alloc(32, 7), Buffer.from([0]), s, Buffer.from([0])];
  if (opts.ext) parts.push(Buffer.from([opts.ext.length >> 8, opts.ext.length & 0xff]), opts.ext);
  return handshake(2, Buffer.concat(parts));
}
const parse = (bytes: Buffer[], readCertificates = false): ReturnType<FlightParser['push']> => {
  const p = new FlightParser({ readCertificates, maxBytes: 4096 });
  let r: ReturnType<FlightParser['push']> = null;
  for (const b of bytes) r = p.push(b) ?? r;
  return r ?? p.end();
};

describe('ClientHello', () => {
  it('builds well-formed records for every protocol', () => {
    for (const protocol of ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3', 'TLCP'] as const) {
      const hello = buildClientHello({ protocol, suites: candidateSuites(protocol), serverName: 'www.yaan.gov.cn' });
      expect(hello[0]).toBe(22);
      expect(hello.readUInt16BE(3)).toBe(hello.length - 5);
      expect(hello[5]).toBe(1);
      expect(hello.readUIntBE(6, 3)).toBe(hello.length - 9);
      const clientVersion = hello.readUInt16BE(9);
      expect(clientVersion).toBe({ SSLv3: 0x0300, 'TLSv1.0': 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0303, TLCP: 0x0101 }[protocol]);
      if (protocol !== 'SSLv3' && protocol !== 'TLCP') expect(hello.includes(Buffer.from('www.yaan.gov.cn'))).toBe(true);
      if (protocol === 'TLCP') expect(hello.readUInt16BE(1)).toBe(0x0101);
    }
  });

  it('pads hellos of 256–511 bytes to 512 (RFC 7685)', () => {
    const hello = buildClientHello({ protocol: 'TLSv1.2', suites: LEGACY_SUITES.slice(0, 40).map((s) => s.code), serverName: 'a.gov.cn' });
    expect(hello.length - 5).toBe(512);
  });
});

describe('first-flight parser', () => {
  const sh = serverHello(0x0303, 0xc02f);
  it('reads a ServerHello split across TCP segments and records', () => {
    const rec = record(22, 0x0303, sh);
    const r = parse([rec.subarray(0, 3), rec.subarray(3, 20), rec.subarray(20)]);
    expect(r).toMatchObject({ kind: 'server-hello', version: 0x0303, suite: 0xc02f, protocol: 'TLSv1.2' });
    const split = parse([record(22, 0x0303, sh.subarray(0, 10)), record(22, 0x0303, sh.subarray(10))]);
    expect(split).toMatchObject({ kind: 'server-hello', suite: 0xc02f });
  });

  it('reads the TLS 1.3 version and key share, and recognises a HelloRetryRequest', () => {
    const ext = Buffer.from([0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, 0x00, 0x33, 0x00, 0x02, 0x11, 0xec]);
    const r = parse([record(22, 0x0303, serverHello(0x0303, 0x1301, { random: HRR_RANDOM, ext }))]);
    expect(r).toMatchObject({ kind: 'server-hello', version: 0x0304, protocol: 'TLSv1.3', hrr: true, group: 0x11ec });
  });

  it('reads an alert', () => {
    expect(parse([record(21, 0x0301, Buffer.from([2, 40]))])).toMatchObject({ kind: 'alert', level: 2, description: 40 });
  });

  it('reads the certificates and a stapled status up to ServerHelloDone', () => {
    const cert = Buffer.alloc(100, 1);
    const list = Buffer.concat([Buffer.from([0, 0, 103, 0, 0, 100]), cert]);
    const flight = Buffer.concat([sh, handshake(11, list), handshake(22, Buffer.from([1, 0, 0, 1, 0])), handshake(14, Buffer.alloc(0))]);
    const r = parse([record(22, 0x0303, flight)], true);
    expect(r).toMatchObject({ kind: 'server-hello', ocspStapled: true, certError: null });
    expect((r as { certificates: Buffer[] }).certificates).toEqual([cert]);
  });

  it('calls garbage, truncation, an empty close and an oversized flight what they are', () => {
    expect(parse([Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')])).toMatchObject({ kind: 'error', code: 'EGARBAGE' });
    expect(parse([record(22, 0x0303, sh).subarray(0, 30)])).toMatchObject({ kind: 'error', code: 'ETRUNCATED' });
    expect(parse([])).toEqual({ kind: 'closed' });
    expect(parse([record(23, 0x0303, Buffer.alloc(10))])).toMatchObject({ kind: 'error', code: 'EUNEXPECTED' });
    expect(parse([record(22, 0x0303, handshake(11, Buffer.alloc(10)))])).toMatchObject({ kind: 'error', code: 'EUNEXPECTED' });
    const huge = Buffer.concat([Buffer.from([11, 0xff, 0xff, 0xff])]);
    expect(parse([record(22, 0x0303, Buffer.concat([sh, huge]))], true)).toMatchObject({ kind: 'server-hello', certError: { code: 'ETOOBIG' } });
    expect(parse([Buffer.alloc(5000, 0x16)])).toMatchObject({ kind: 'error', code: 'ETOOBIG' });
  });
});

describe('suite table', () => {
  it('holds the IANA registry and the TLCP suites, classified', () => {
    expect(SUITES.length).toBeGreaterThan(330);
    expect(new Set(SUITES.map((s) => s.code)).size).toBe(SUITES.length);
    expect(TLCP.map((s) => s.hex)).toEqual(expect.arrayContaining(['0xE011', '0xE013', '0xE051', '0xE053']));
    expect(suiteByCode(0x0005)).toMatchObject({ name: 'TLS_RSA_WITH_RC4_128_SHA', openssl: 'RC4-SHA', kx: 'RSA', cipher: 'RC4', bits: 128 });
    expect(suiteByCode(0x000a)).toMatchObject({ openssl: 'DES-CBC3-SHA', bits: 168, strength: 112 });
    expect(suiteByCode(0x0016)?.openssl).toBe('EDH-RSA-DES-CBC3-SHA');
    expect(suiteByCode(0xc02f)).toMatchObject({ openssl: 'ECDHE-RSA-AES128-GCM-SHA256', tls12Only: true, mac: 'AEAD' });
    expect(suiteByCode(0x00c6)).toMatchObject({ name: 'TLS_SM4_GCM_SM3', family: 'tls13' });
    expect(suiteByCode(0xe013)).toBeUndefined();
    expect(suiteByCode(0xe013, true)).toMatchObject({ name: 'ECC_SM4_CBC_SM3', family: 'tlcp', kx: 'SM2' });
    expect(suiteClasses(suiteByCode(0x0003)!)).toEqual(expect.arrayContaining(['export', 'rc4', 'no-fs']));
    expect(suiteClasses(suiteByCode(0x0018)!)).toEqual(expect.arrayContaining(['anon', 'rc4']));
    expect(suiteClasses(suiteByCode(0xc006)!)).toEqual(expect.arrayContaining(['null', 'fs']));
  });
});

describe('grade', () => {
  const s = (...codes: number[]) => codes.map((c) => suiteByCode(c)!);
  const cert = { trusted: true, selfSigned: false, expired: false, notYetValid: false, hostnameMatch: true, chainComplete: true, signatureHash: 'SHA256' };
  const base: GradeInput = { protocols: ['TLSv1.2', 'TLSv1.3'], suites: s(0xc02f, 0xc030, 0x1301), suitesByProtocol: {}, keyType: 'RSA', keyBits: 2048, cert, hstsMaxAge: null };
  it('scores and caps after the rating guide', () => {
    expect(grade(base)).toMatchObject({ grade: 'A', score: 93 });
    expect(grade({ ...base, hstsMaxAge: 31536000 })?.grade).toBe('A+');
    expect(grade({ ...base, protocols: ['TLSv1.0', 'TLSv1.2'] })).toMatchObject({ grade: 'B', decidedBy: 'TLS 1.0 or 1.1 accepted' });
    expect(grade({ ...base, suites: s(0xc02f, 0x0005) })).toMatchObject({ grade: 'C', decidedBy: 'RC4 suites' });
    expect(grade({ ...base, suites: s(0xc02f, 0x0003) })?.grade).toBe('F');
    expect(grade({ ...base, protocols: ['TLSv1.2'], suites: s(0x009c, 0x002f) })).toMatchObject({ grade: 'B', decidedBy: 'no forward secrecy' });
    expect(grade({ ...base, cert: { ...cert, trusted: false } })).toMatchObject({ grade: 'T', gradeIfTrusted: 'A' });
    expect(grade({ ...base, cert: { ...cert, hostnameMatch: false } })).toMatchObject({ grade: 'M' });
    expect(grade({ ...base, cert: { ...cert, signatureHash: 'MD5' } })?.grade).toBe('F');
    expect(grade({ ...base, protocols: [], suites: [] })).toBeNull();
  });
});
