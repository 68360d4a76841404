/**
 * What a reported URL shows the network, captured through govscan's NetClient
 * (the resolver, --connect-to, the trust store and the address policy apply):
 * DNS answers, the TLS chain, and every HTTP exchange of the redirect chain
 * per client profile, followed hop by hop so each one is recorded.
 */
import net from 'node:net';
import type { DnsRecordType, NetClient, NetError } from '@govscan/core';
import { sha256Hex } from './bundle.js';
import type { ClientProfile } from './profiles.js';
import { peekTls } from '@govscan/net';

export interface DnsCapture {
  name: string;
  type: DnsRecordType;
  status: string;
  answers: { name: string; type: string; ttl: number; data: string }[];
  resolver: string;
  at: string;
  error: string | null;
}

const HOST_TYPES: DnsRecordType[] = ['A', 'AAAA', 'CNAME', 'NS', 'MX', 'SOA', 'TXT'];

/** A, AAAA, CNAME, NS, MX, SOA, TXT of the host, and NS + SOA of each parent up to (not including) the top-level domain. */
export async function captureDns(client: NetClient, host: string, o: { signal?: AbortSignal; timeoutMs: number; now: () => Date }): Promise<DnsCapture[]> {
  if (net.isIP(host)) return [];
  const labels = host.split('.');
  const parents: string[] = [];
  for (let i = 1; i < labels.length - 1; i++) parents.push(labels.slice(i).join('.'));
  const queries: [string, DnsRecordType][] = [...HOST_TYPES.map((t) => [host, t] as [string, DnsRecordType]), ...parents.flatMap((p) => [[p, 'NS'], [p, 'SOA']] as [string, DnsRecordType][])];
  return Promise.all(
    queries.map(async ([name, type]) => {
      const at = o.now().toISOString();
      const r = await client.resolve(name, type, { timeoutMs: o.timeoutMs, ...(o.signal ? { signal: o.signal } : {}) });
      return { name, type, status: r.status, answers: r.answers.map((a) => ({ name: a.name, type: a.type, ttl: a.ttl, data: a.data })), resolver: r.resolver, at, error: r.error ? `${r.error.code}: ${r.error.message}` : null };
    }),
  );
}

export interface CertSummary {
  subject: string;
  issuer: string;
  subjectAltName: string | null;
  validFrom: string;
  validTo: string;
  serialNumber: string;
  fingerprint256: string;
}

export interface TlsCapture {
  host: string;
  port: number;
  at: string;
  address: string | null;
  protocol: string | null;
  cipher: string | null;
  authorized: boolean | null;
  authorizationError: string | null;
  chain: CertSummary[];
  pem: string;
  error: NetError | null;
}

function toPem(raw: Buffer): string {
  const b64 = raw.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** Handshake with host:port (through --connect-to and the address policy) and keep the certificate chain the server sent. */
export async function captureTls(client: NetClient, host: string, port: number, o: { ca: string[]; timeoutMs: number; signal?: AbortSignal; now: () => Date }): Promise<TlsCapture> {
  const at = o.now().toISOString();
  const out: TlsCapture = { host, port, at, address: null, protocol: null, cipher: null, authorized: null, authorizationError: null, chain: [], pem: '', error: null };
  const r = await peekTls(client, host, port, { timeoutMs: o.timeoutMs, ca: o.ca, alpn: ['http/1.1'], ...(o.signal ? { signal: o.signal } : {}) });
  if ('code' in r) {
    // a connection that failed says why (refused, policy, DNS); a handshake that failed is ETLS, a timeout or reset aside
    const { during, ...error } = r;
    const tlsFailure = during === 'handshake' && !['ETIMEDOUT', 'ECONNRESET', 'EABORTED'].includes(r.code);
    return { ...out, error: tlsFailure ? { code: 'ETLS', message: r.message, status: 'error' } : error };
  }
  out.address = r.address;
  out.protocol = r.protocol;
  out.cipher = r.cipher;
  out.authorized = r.authorized;
  out.authorizationError = r.authorizationError;
  for (const x of r.chain.slice(0, 10)) {
    out.chain.push({ subject: x.subject.replace(/\n/g, ', '), issuer: x.issuer.replace(/\n/g, ', '), subjectAltName: x.subjectAltName ?? null, validFrom: new Date(x.validFrom).toISOString(), validTo: new Date(x.validTo).toISOString(), serialNumber: x.serialNumber, fingerprint256: x.fingerprint256 });
    out.pem += toPem(x.raw);
  }
  return out;
}

export interface Exchange {
  profile: string;
  hop: number;
  url: string;
  at: string;
  method: 'GET';
  requestHeaders: [string, string][];
  status: number | null;
  responseHeaders: Record<string, string | string[]>;
  location: string | null;
  body: Buffer;
  bodySha256: string;
  bodyBytes: number;
  truncated: boolean;
  address: string | null;
  elapsedMs: number;
  error: NetError | null;
}

export interface ChainCapture {
  profile: ClientProfile['id'];
  userAgent: string;
  startedAt: string;
  exchanges: Exchange[];
  finalUrl: string;
  /** Status of the last response, or null when none came. */
  status: number | null;
  error: NetError | null;
}

export interface ChainLimits {
  maxRedirects: number;
  maxBytes: number;
  timeoutMs: number;
  signal?: AbortSignal;
  now: () => Date;
}

/** GET the URL with one profile, following redirects one hop at a time (at most maxRedirects, loops stopped). */
export async function captureChain(client: NetClient, url: string, profile: ClientProfile, limits: ChainLimits): Promise<ChainCapture> {
  const requestHeaders: [string, string][] = [
    ['User-Agent', profile.userAgent],
    ['Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
    ['Accept-Language', profile.acceptLanguage],
  ];
  const out: ChainCapture = { profile: profile.id, userAgent: profile.userAgent, startedAt: limits.now().toISOString(), exchanges: [], finalUrl: url, status: null, error: null };
  const seen = new Set<string>();
  let current = url;
  for (let hop = 0; ; hop++) {
    out.finalUrl = current;
    if (seen.has(current)) {
      out.error = { code: 'EREDIRECTLOOP', message: `redirect loop back to ${current}`, status: 'error' };
      return out;
    }
    if (hop > limits.maxRedirects) {
      out.error = { code: 'ETOOMANYREDIRECTS', message: `more than ${limits.maxRedirects} redirects`, status: 'error' };
      return out;
    }
    seen.add(current);
    const at = limits.now().toISOString();
    const r = await client.fetch(current, { method: 'GET', maxRedirects: 0, maxBytes: limits.maxBytes, timeoutMs: limits.timeoutMs, headers: Object.fromEntries(requestHeaders.map(([k, v]) => [k.toLowerCase(), v])), ...(limits.signal ? { signal: limits.signal } : {}) });
    const hopInfo = r.hops[0];
    const isRedirect = r.error?.code === 'ETOOMANYREDIRECTS' && hopInfo !== undefined && hopInfo.location !== null;
    const ex: Exchange = {
      profile: profile.id,
      hop,
      url: current,
      at,
      method: 'GET',
      requestHeaders,
      status: r.status,
      responseHeaders: r.status === null ? {} : r.headers,
      location: hopInfo?.location ?? null,
      body: r.body,
      bodySha256: sha256Hex(r.body),
      bodyBytes: r.body.length,
      truncated: r.truncated,
      address: hopInfo?.address ?? null,
      elapsedMs: r.timings.totalMs,
      error: isRedirect ? null : r.error,
    };
    out.exchanges.push(ex);
    out.status = r.status;
    if (!isRedirect) {
      out.error = r.error;
      return out;
    }
    try {
      current = new URL(hopInfo.location!, current).href;
    } catch {
      out.error = { code: 'EBADREDIRECT', message: `unparsable Location: ${hopInfo.location!.slice(0, 200)}`, status: 'error' };
      return out;
    }
    if (!/^https?:$/.test(new URL(current).protocol)) {
      out.error = { code: 'EBADURL', message: `redirect to unsupported scheme ${new URL(current).protocol}`, status: 'error' };
      return out;
    }
  }
}

/** The last exchange that carried a body (the page the chain ended on). */
export function finalExchange(c: ChainCapture): Exchange | null {
  const last = c.exchanges.at(-1);
  return last && last.status !== null && !(last.status >= 300 && last.status < 400) ? last : null;
}
