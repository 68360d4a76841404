import { X509Certificate, randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { World } from './types.js';
import { startWorld } from './world.js';

/** A minimal ClientHello: version, suites, optional supported_versions / groups / empty key_share / status_request. */
function clientHello(o: { version: number; suites: number[]; tls13?: boolean; groups?: number[]; statusRequest?: boolean; sni?: string }): Buffer {
  const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
  const ext = (t: number, b: Buffer): Buffer => Buffer.concat([u16(t), u16(b.length), b]);
  const exts: Buffer[] = [];
  if (o.sni) {
    const name = Buffer.from(o.sni);
    exts.push(ext(0, Buffer.concat([u16(name.length + 3), Buffer.from([0]), u16(name.length), name])));
  }
  if (o.groups) exts.push(ext(10, Buffer.concat([u16(o.groups.length * 2), ...o.groups.map(u16)])));
  if (o.tls13) exts.push(ext(43, Buffer.from([2, 3, 4])), ext(51, u16(0)));
  if (o.statusRequest) exts.push(ext(5, Buffer.from([1, 0, 0, 0, 0])));
  const extBlock = Buffer.concat(exts);
  const body = Buffer.concat([u16(o.version), randomBytes(32), Buffer.from([0]), u16(o.suites.length * 2), ...o.suites.map(u16), Buffer.from([1, 0]), u16(extBlock.length), extBlock]);
  const hs = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([22, 3, 1]), u16(hs.length), hs]);
}

/** Send a hello, collect everything until the server closes (or 2 s). */
function ask(port: number, hello: Buffer, host = '127.0.0.1'): Promise<{ data: Buffer; error: string | null }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = net.connect(port, host, () => s.write(hello));
    const timer = setTimeout(() => finish(null), 2000);
    const finish = (error: string | null): void => {
      clearTimeout(timer);
      s.destroy();
      resolve({ data: Buffer.concat(chunks), error });
    };
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => finish(null));
    s.on('error', (e: NodeJS.ErrnoException) => finish(e.code ?? 'ERR'));
  });
}

/** Handshake messages of a (possibly multi-record) plaintext flight. */
function messages(data: Buffer): { type: number; body: Buffer }[] {
  let hs = Buffer.alloc(0);
  for (let p = 0; p + 5 <= data.length; ) {
    const len = data.readUInt16BE(p + 3);
    if (data[p] === 22) hs = Buffer.concat([hs, data.subarray(p + 5, p + 5 + len)]);
    p += 5 + len;
  }
  const out: { type: number; body: Buffer }[] = [];
  for (let p = 0; p + 4 <= hs.length; ) {
    const len = hs.readUIntBE(p + 1, 3);
    out.push({ type: hs[p]!, body: hs.subarray(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  return out;
}

describe('raw TLS responder (HostSpec.tlsRaw)', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld({
      hosts: [
        { name: 'old.example.cn', cert: { validDays: 365 }, tlsRaw: { protocols: ['TLSv1.0', 'TLSv1.2', 'TLSv1.3', 'TLCP'], suites: [0x0005, 0x000a, 0xc02f, 0x1301, 0xe013], ocspStaple: true } },
        { name: 'split.example.cn', dns: { a: ['127.0.0.1', '127.0.0.2'] }, tlsRaw: { protocols: ['TLSv1.2'], suites: [0xc02f], byAddress: { '127.0.0.2': { protocols: ['TLSv1.0'], suites: [0x002f] } } } },
        { name: 'reset.example.cn', tlsRaw: { protocols: ['TLSv1.2'], suites: [0xc02f], behaviour: 'reset' } },
        { name: 'garbage.example.cn', tlsRaw: { protocols: ['TLSv1.2'], suites: [0xc02f], behaviour: 'garbage' } },
        { name: 'long.example.cn', cert: { validDays: 400, ocspStaple: true } },
        { name: 'foreign.example.cn', cert: { untrustedIssuer: true } },
      ],
    });
  });
  afterAll(async () => world?.stop());

  it('routes the host through a host-specific connect-to entry placed before the generic one', () => {
    const port = world.rawTls['old.example.cn']!.port;
    expect(world.connectTo.indexOf(`old.example.cn:443::${port}`)).toBeLessThan(world.connectTo.indexOf(`:443::${world.httpsPort}`));
    expect(world.connectTo.at(-1)).toBe(`:443::${world.httpsPort}`);
  });

  it('answers TLS 1.0 with RC4 (server order), the host certificate, a staple and ServerHelloDone', async () => {
    const { data } = await ask(world.rawTls['old.example.cn']!.port, clientHello({ version: 0x0301, suites: [0x000a, 0x0005], statusRequest: true, sni: 'old.example.cn' }));
    const msgs = messages(data);
    expect(msgs.map((m) => m.type)).toEqual([2, 11, 22, 14]);
    expect(msgs[0]!.body.readUInt16BE(0)).toBe(0x0301);
    expect(msgs[0]!.body.readUInt16BE(2 + 32 + 1 + 32)).toBe(0x0005);
    const certLen = msgs[1]!.body.readUIntBE(3, 3);
    const leaf = new X509Certificate(msgs[1]!.body.subarray(6, 6 + certLen));
    expect(leaf.subjectAltName).toBe('DNS:old.example.cn');
    expect(world.rawTls['old.example.cn']!.hellos.at(-1)).toMatchObject({ serverName: 'old.example.cn', version: 0x0301 });
  });

  it('refuses what is not configured with the right alert', async () => {
    const port = world.rawTls['old.example.cn']!.port;
    expect((await ask(port, clientHello({ version: 0x0300, suites: [0x0005] }))).data).toEqual(Buffer.from([21, 3, 1, 0, 2, 2, 70]));
    expect((await ask(port, clientHello({ version: 0x0303, suites: [0x0004] }))).data.subarray(5)).toEqual(Buffer.from([2, 40]));
  });

  it('answers a TLS 1.3 hello without a key share with a HelloRetryRequest, and a TLCP hello with version 0x0101', async () => {
    const port = world.rawTls['old.example.cn']!.port;
    const hrr = messages((await ask(port, clientHello({ version: 0x0303, suites: [0x1301], tls13: true, groups: [0x0017] }))).data);
    expect(hrr[0]!.body.subarray(2, 34).toString('hex')).toBe('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c');
    const tlcp = messages((await ask(port, clientHello({ version: 0x0101, suites: [0xe011, 0xe013] }))).data);
    expect(tlcp[0]!.body.readUInt16BE(0)).toBe(0x0101);
    expect(tlcp[0]!.body.readUInt16BE(2 + 32 + 1 + 32)).toBe(0xe013);
  });

  it('serves another configuration on another loopback address', async () => {
    const { port, addresses } = world.rawTls['split.example.cn']!;
    expect(addresses).toEqual(['127.0.0.1', '127.0.0.2']);
    const a = messages((await ask(port, clientHello({ version: 0x0303, suites: [0xc02f, 0x002f] }), '127.0.0.1')).data);
    const b = messages((await ask(port, clientHello({ version: 0x0303, suites: [0xc02f, 0x002f] }), '127.0.0.2')).data);
    expect(a[0]!.body.readUInt16BE(0)).toBe(0x0303);
    expect(b[0]!.body.readUInt16BE(0)).toBe(0x0301);
  });

  it('behaves badly on request', async () => {
    expect((await ask(world.rawTls['reset.example.cn']!.port, clientHello({ version: 0x0303, suites: [0xc02f] }))).error).toBe('ECONNRESET');
    const g = await ask(world.rawTls['garbage.example.cn']!.port, clientHello({ version: 0x0303, suites: [0xc02f] }));
    expect(g.data.subarray(0, 8).toString()).toBe('HTTP/1.1');
  });

  it('cert.validDays, cert.ocspStaple and cert.untrustedIssuer on the HTTPS server', async () => {
    const get = (servername: string): Promise<{ leaf: X509Certificate; chain: number; ocsp: Buffer | null; authorized: boolean }> =>
      new Promise((resolve, reject) => {
        let ocsp: Buffer | null = null;
        const s = tls.connect({ host: '127.0.0.1', port: world.httpsPort, servername, ca: world.caPem, rejectUnauthorized: false, requestOCSP: true } as tls.ConnectionOptions, () => {
          const peer = s.getPeerX509Certificate()!;
          let chain = 1;
          for (let x = peer.issuerCertificate; x && chain < 5; x = x.issuerCertificate) chain++;
          resolve({ leaf: peer, chain, ocsp, authorized: s.authorized });
          s.destroy();
        });
        s.on('OCSPResponse', (r: Buffer) => (ocsp = r ?? null));
        s.on('error', reject);
      });
    const long = await get('long.example.cn');
    const days = (new Date(long.leaf.validTo).getTime() - Date.now()) / 86400_000;
    expect(days).toBeGreaterThan(398);
    expect(days).toBeLessThan(400);
    expect(long.authorized).toBe(true);
    expect(long.ocsp).toEqual(Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x03]));
    const foreign = await get('foreign.example.cn');
    expect(foreign.leaf.issuer).toContain('govscan testbed untrusted root CA');
    expect(foreign.authorized).toBe(false);
    expect(foreign.ocsp).toBeNull();
  });
});
