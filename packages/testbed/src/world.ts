/**
 * startWorld: DNS + HTTP + HTTPS virtual hosts + PKI, all on loopback, in-process.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls, { type SecureContext, type TLSSocket } from 'node:tls';
import { isSupportedCharset } from './charset.js';
import { startDns } from './dns.js';
import { whenListening } from './listening.js';
import { HostTable, normalizeName } from './names.js';
import { generateRsaKey, type LeafMaterial, type RsaKey, WorldPki } from './pki.js';
import type { DnsQueryLogEntry, HostSpec, RequestLogEntry, Scenario, World } from './types.js';
import { createRequestHandler } from './vhost.js';
import { startRawTls, type RawTlsServer } from './tls-raw.js';
import { withValidity } from './validity.js';
import { X509Certificate } from 'node:crypto';

/** OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED tryLater(3) } — a staple that parses, not a signed answer. */
const MINIMAL_OCSP_RESPONSE = Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x03]);

const MAX_REQUESTS = 10_000;
const MAX_DNS_QUERIES = 100_000;
const STOP_DEADLINE_MS = 900;

/** Appends to a capped log, dropping the oldest tenth when full. */
function pushCapped<T>(log: T[], entry: T, cap: number): void {
  if (log.length >= cap) log.splice(0, Math.max(1, Math.floor(cap / 10)));
  log.push(entry);
}

function validate(scenario: Scenario): void {
  if (!scenario || !Array.isArray(scenario.hosts)) throw new Error('testbed: scenario.hosts must be an array');
  for (const host of scenario.hosts) {
    for (const vhost of [host.http, host.https]) {
      for (const page of Object.values(vhost?.pages ?? {})) {
        if (typeof page.body === 'string' && page.charset && !isSupportedCharset(page.charset)) {
          throw new Error(`testbed: ${host.name}: cannot encode a string body as ${page.charset}; pass a Uint8Array body`);
        }
      }
    }
    if (host.tlsRaw) {
      if (host.name.includes('*')) throw new Error(`testbed: ${host.name}: tlsRaw needs an exact host name`);
      for (const a of Object.keys(host.tlsRaw.byAddress ?? {})) {
        if (!/^127\.\d+\.\d+\.\d+$/.test(a) && a !== '::1') throw new Error(`testbed: ${host.name}: tlsRaw.byAddress ${a} is not a loopback address`);
      }
    }
    const days = host.cert?.validDays;
    if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650)) throw new Error(`testbed: ${host.name}: cert.validDays must be an integer in 1..3650`);
    const bits = host.cert?.keyBits;
    if (bits !== undefined && (!Number.isInteger(bits) || bits < 512 || bits > 16384)) {
      throw new Error(`testbed: ${host.name}: cert.keyBits must be an integer in 512..16384`);
    }
  }
}

function listen(server: NetServer, port: number, host: string): Promise<void> {
  return whenListening(server, () => server.listen({ port, host, exclusive: true }));
}

function portOf(server: NetServer): number {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('testbed: server has no port');
  return address.port;
}

function closeServer(server: NetServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    try {
      server.close(() => resolve());
    } catch {
      // http.Server#close first closes idle connections, which can trip over a
      // connection destroyed an instant earlier; close the listener directly.
      try {
        net.Server.prototype.close.call(server, () => resolve());
      } catch {
        resolve();
      }
    }
  });
}

const IPV6_UNAVAILABLE = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EINVAL', 'EPROTONOSUPPORT']);

export async function startWorld(scenario: Scenario): Promise<World> {
  validate(scenario);
  const table = new HostTable(scenario.hosts);
  const requests: RequestLogEntry[] = [];
  const dnsQueries: DnsQueryLogEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const servers: NetServer[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  const cleanup = async (): Promise<void> => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    // Stop listening first (http.Server#close also closes idle keep-alive
    // connections), then destroy every remaining socket, hung ones included.
    const closing = Promise.all([...servers.map(closeServer), ...cleanups.map((c) => c().catch(() => undefined))]);
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([
      closing,
      new Promise<void>((resolve) => {
        deadline = setTimeout(resolve, STOP_DEADLINE_MS);
        deadline.unref();
      }),
    ]);
    if (deadline) clearTimeout(deadline);
  };

  try {
    // --- PKI: shared keys (once per process), world CAs, a leaf per HTTPS host.
    const ownKeys = new Map<HostSpec, Promise<RsaKey>>();
    for (const host of scenario.hosts) {
      if (host.https !== null && host.cert?.keyBits) ownKeys.set(host, generateRsaKey(host.cert.keyBits));
    }
    const [pki] = await Promise.all([WorldPki.create(), ...ownKeys.values()]);
    const leaves = new Map<HostSpec, LeafMaterial>();
    for (const host of scenario.hosts) {
      if (host.https === null) continue;
      const name = normalizeName(host.name);
      const ownKey = await ownKeys.get(host);
      const material = pki.leaf([name], host.cert, ownKey);
      leaves.set(host, host.cert?.validDays || host.cert?.untrustedIssuer ? await withValidity(material, host.cert, ownKey, pki.intermediatePem) : material);
    }
    const fallback = pki.leaf(['localhost'], {}, undefined, ['127.0.0.1', '::1']);
    const anyWeak = [...leaves.values()].some((m) => m.weak);

    const dir = await mkdtemp(join(tmpdir(), 'govscan-testbed-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, pki.caPem);

    // --- TLS contexts, by SNI
    const contexts = new Map<HostSpec, SecureContext>();
    const contextFor = (m: LeafMaterial): SecureContext =>
      tls.createSecureContext({
        key: m.keyPem,
        cert: m.certChainPem,
        // weak keys and md5/sha1 signatures are refused by OpenSSL's default security level
        ...(m.weak ? { ciphers: 'DEFAULT:@SECLEVEL=0' } : {}),
      });
    const sniCallback = (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void): void => {
      const spec = table.find(servername);
      if (!spec) {
        cb(null, undefined); // default certificate
        return;
      }
      if (spec.https === null) {
        cb(new Error(`testbed: TLS refused for ${servername}`));
        return;
      }
      let ctx = contexts.get(spec);
      if (!ctx) {
        const material = leaves.get(spec);
        if (!material) {
          cb(new Error(`testbed: no certificate for ${servername}`));
          return;
        }
        try {
          ctx = contextFor(material);
        } catch (err) {
          cb(err as Error);
          return;
        }
        contexts.set(spec, ctx);
      }
      cb(null, ctx);
    };

    // --- HTTP and HTTPS servers (127.0.0.1, optionally [::1] on the same ports)
    const vhostOptions = { table, log: (e: RequestLogEntry) => pushCapped(requests, e, MAX_REQUESTS), timers };
    const track = (server: NetServer, secure: boolean): NetServer => {
      server.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.once('close', () => sockets.delete(socket));
      });
      if (secure) {
        server.on('secureConnection', (socket: TLSSocket) => {
          sockets.add(socket);
          socket.on('error', () => undefined);
          socket.once('close', () => sockets.delete(socket));
        });
        server.on('tlsClientError', () => undefined);
      }
      server.on('clientError', (_err: Error, socket: Socket) => socket.destroy());
      return server;
    };
    const makeHttp = (): http.Server =>
      track(
        http.createServer({ requireHostHeader: false, keepAliveTimeout: 5000 }, createRequestHandler(vhostOptions, false)),
        false,
      ) as http.Server;
    // cert.ocspStaple: the leaf's DER → staple a fixed minimal OCSPResponse (responseStatus tryLater)
    const stapled = new Set<string>();
    for (const [host, m] of leaves) if (host.cert?.ocspStaple) stapled.add(new X509Certificate(m.leafPem).raw.toString('base64'));
    const onOcspRequest = (certificate: Buffer, _issuer: Buffer, cb: (err: Error | null, resp?: Buffer) => void): void => {
      cb(null, stapled.has(certificate.toString('base64')) ? MINIMAL_OCSP_RESPONSE : undefined);
    };
    const makeHttps = (): https.Server =>
      track(
        https.createServer(
          {
            key: fallback.keyPem,
            cert: fallback.certChainPem,
            SNICallback: sniCallback,
            // OpenSSL checks SNI-selected certificates against the security level of
            // the server's *default* context: weak keys or md5/sha1 signatures need 0.
            ...(anyWeak ? { ciphers: 'DEFAULT:@SECLEVEL=0' } : {}),
            requireHostHeader: false,
            keepAliveTimeout: 5000,
          },
          createRequestHandler(vhostOptions, true),
        ).on('OCSPRequest', onOcspRequest),
        true,
      ) as https.Server;

    let ipv6 = Boolean(scenario.ipv6);
    let bound: { httpPort: number; httpsPort: number; servers: NetServer[] } | undefined;
    let lastError: unknown;
    for (let attempt = 0; attempt < 10 && !bound; attempt++) {
      const attemptServers: NetServer[] = [];
      try {
        const h4 = makeHttp();
        attemptServers.push(h4);
        await listen(h4, 0, '127.0.0.1');
        const s4 = makeHttps();
        attemptServers.push(s4);
        await listen(s4, 0, '127.0.0.1');
        const httpPort = portOf(h4);
        const httpsPort = portOf(s4);
        if (ipv6) {
          const h6 = makeHttp();
          attemptServers.push(h6);
          try {
            await listen(h6, httpPort, '::1');
            const s6 = makeHttps();
            attemptServers.push(s6);
            await listen(s6, httpsPort, '::1');
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code ?? '';
            if (!IPV6_UNAVAILABLE.has(code)) throw err;
            ipv6 = false; // no ::1 here: carry on with IPv4 only
            await Promise.all(attemptServers.slice(2).map(closeServer));
            attemptServers.splice(2);
          }
        }
        bound = { httpPort, httpsPort, servers: attemptServers };
      } catch (err) {
        lastError = err;
        await Promise.all(attemptServers.map(closeServer));
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      }
    }
    if (!bound) throw new Error(`testbed: could not allocate HTTP/HTTPS ports: ${String(lastError)}`);
    servers.push(...bound.servers);

    // --- DNS (after the HTTP servers: default AAAA answers only when ::1 is really served)
    const dns = await startDns({
      table,
      ipv6,
      log: (entry: DnsQueryLogEntry) => pushCapped(dnsQueries, entry, MAX_DNS_QUERIES),
      timers,
    });
    cleanups.push(() => dns.close());

    // --- raw TLS responders (one port per tlsRaw host), reached through a host-specific connect-to entry
    const rawTls: World['rawTls'] = {};
    const rawConnectTo: string[] = [];
    for (const host of scenario.hosts) {
      if (!host.tlsRaw) continue;
      const name = normalizeName(host.name);
      const material = leaves.get(host) ?? fallback;
      const chain = (material.certChainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) =>
        Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''), 'base64'),
      );
      const addresses = ['127.0.0.1', ...(ipv6 ? ['::1'] : []), ...Object.keys(host.tlsRaw.byAddress ?? {}).filter((a) => a !== '127.0.0.1' && a !== '::1')];
      const server: RawTlsServer = await startRawTls(host.tlsRaw, chain, addresses, sockets, timers);
      cleanups.push(() => server.close());
      rawTls[name] = { port: server.port, addresses: server.addresses, hellos: server.hellos };
      rawConnectTo.push(`${name}:443::${server.port}`);
    }

    let stopping: Promise<void> | undefined;
    const world: World = {
      resolver: `127.0.0.1:${dns.port}`,
      dnsPort: dns.port,
      httpPort: bound.httpPort,
      httpsPort: bound.httpsPort,
      ipv6,
      connectTo: [...rawConnectTo, `:80::${bound.httpPort}`, `:443::${bound.httpsPort}`],
      caPem: pki.caPem,
      caFile,
      intermediatePem: pki.intermediatePem,
      requests,
      dnsQueries,
      scenario,
      rawTls,
      stop: () => {
        stopping ??= cleanup();
        return stopping;
      },
    };
    return world;
  } catch (err) {
    await cleanup();
    throw err;
  }
}
