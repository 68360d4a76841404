/**
 * Triage of a live candidate: fetch it over HTTPS and HTTP through the
 * NetClient (so --connect-to, the trust store and the address policy apply:
 * a lookalike is never a registered host), record its certificate, and
 * compare what it serves with the registered site it imitates.
 */
import { createHash } from 'node:crypto';
import { distance } from 'fastest-levenshtein';
import type { Attempt, Fact, FetchResult, NetClient, Site, SiteRef } from '@govscan/core';
import { hostOf } from './domain.js';
import { emptyIdentity, IDENTITY_TOKENS, normalizeIcp, normalizePsb, sameToken, type Identity, type IdentityToken } from '@govscan/identity';
import { jaccard, pageFeatures, parkingNameServers, type PageFeatures } from './page.js';
import { peekTls } from '@govscan/net';

const PAGE_BYTES = 1 << 20;
const FAVICON_BYTES = 256 << 10;

export interface TriageOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  now?: () => Date;
}

/** The registered site, as a lookalike is compared with it. */
export interface Genuine {
  site: Site;
  url: string;
  /** Null when its homepage could not be read. */
  page: PageFeatures | null;
  /** From the registry and from its homepage. */
  identity: Identity;
  faviconHash: string | null;
  error: string | null;
}

function contentType(r: FetchResult): string | null {
  const v = r.headers['content-type'];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

const loadedOk = (r: FetchResult): boolean => !r.error && r.status !== null && r.status >= 200 && r.status < 300;

function fetchAttempt(scanner: string, site: SiteRef, r: FetchResult, check: string, startedAt: string): Attempt {
  const a: Attempt = { scanner, site, target: r.url, check, status: r.error ? r.error.status : 'ok', startedAt, durationMs: r.timings.totalMs };
  if (r.error) a.error = { code: r.error.code, message: r.error.message };
  return a;
}

async function favicon(net: NetClient, base: string, o: TriageOptions, pin: { address?: string } = {}): Promise<{ hash: string | null; result: FetchResult }> {
  const url = new URL('/favicon.ico', base).href;
  const r = await net.fetch(url, { timeoutMs: o.timeoutMs, maxBytes: FAVICON_BYTES, ...pin, ...(o.signal ? { signal: o.signal } : {}) });
  const ct = contentType(r) ?? '';
  const ok = loadedOk(r) && r.body.length > 0 && !r.truncated && !/text\/html/i.test(ct);
  return { hash: ok ? createHash('sha256').update(r.body).digest('hex') : null, result: r };
}

const ref = (s: Site): SiteRef => ({ code: s.code, name: s.name });

/** Fetch and read a registered site's homepage once; its identity is the registry's plus what the page shows. */
export async function loadGenuine(site: Site, net: NetClient, o: TriageOptions): Promise<{ genuine: Genuine; attempts: Attempt[] }> {
  const url = site.urls[0]!;
  const at = (): string => (o.now?.() ?? new Date()).toISOString();
  const startedAt = at();
  const r = await net.fetch(url, { timeoutMs: o.timeoutMs, maxBytes: PAGE_BYTES, ...(o.signal ? { signal: o.signal } : {}) });
  const attempts = [fetchAttempt('lookalike', ref(site), r, 'genuine:GET', startedAt)];
  const identity = emptyIdentity();
  identity.siteCode.push(site.code.toLowerCase());
  const icp = site.icp ? normalizeIcp(site.icp) : null;
  if (icp) identity.icp.push(icp);
  const psb = site.psb ? normalizePsb(site.psb) : null;
  if (psb) identity.psb.push(psb);
  identity.siteName.push(site.name);
  identity.sponsor.push(site.unit);
  let page: PageFeatures | null = null;
  let faviconHash: string | null = null;
  if (loadedOk(r)) {
    page = pageFeatures(r.body, contentType(r));
    for (const t of IDENTITY_TOKENS) for (const v of page.identity[t]) if (!identity[t].includes(v)) identity[t].push(v);
    faviconHash = (await favicon(net, r.finalUrl, o)).hash;
  }
  const error = r.error ? `${r.error.code}: ${r.error.message}` : loadedOk(r) ? null : `HTTP ${r.status}`;
  return { genuine: { site, url, page, identity, faviconHash, error }, attempts };
}

export interface Comparison {
  imitates: Genuine;
  copied: IdentityToken[];
  copiedValues: Partial<Record<IdentityToken, string>>;
  titleSimilarity: number | null;
  textSimilarity: number | null;
  structureSimilarity: number | null;
  faviconSame: boolean | null;
  mentionsSiteName: boolean;
}

function similarity(a: string, b: string): number {
  const max = Math.max(a.length, b.length);
  return max === 0 ? 1 : 1 - distance(a, b) / max;
}

const round = (x: number | null): number | null => (x === null ? null : Math.round(x * 1000) / 1000);

export function compare(page: PageFeatures, faviconHash: string | null, g: Genuine): Comparison {
  const copied: IdentityToken[] = [];
  const copiedValues: Partial<Record<IdentityToken, string>> = {};
  const theirs: Identity = { ...page.identity, siteName: [...page.identity.siteName, ...(page.title ? [page.title] : [])] };
  for (const t of IDENTITY_TOKENS) {
    const hit = theirs[t].find((v) => g.identity[t].some((x) => sameToken(t, v, x)));
    if (hit !== undefined) {
      copied.push(t);
      copiedValues[t] = hit;
    }
  }
  return {
    imitates: g,
    copied,
    copiedValues,
    titleSimilarity: round(page.title && g.page?.title ? similarity(page.title, g.page.title) : page.title ? similarity(page.title, g.site.name) : null),
    textSimilarity: round(g.page ? jaccard(page.shingles, g.page.shingles) : null),
    structureSimilarity: round(g.page ? jaccard(page.structure, g.page.structure) : null),
    faviconSame: faviconHash && g.faviconHash ? faviconHash === g.faviconHash : null,
    mentionsSiteName: page.text.includes(g.site.name),
  };
}

/** The closest of several registered sites: most identity tokens copied, then the most similar text and title. */
export function best(comparisons: Comparison[]): Comparison | null {
  const key = (c: Comparison): number[] => [c.copied.length, c.textSimilarity ?? -1, c.titleSimilarity ?? -1, c.mentionsSiteName ? 1 : 0];
  let top: Comparison | null = null;
  for (const c of comparisons) {
    if (!top) {
      top = c;
      continue;
    }
    const a = key(c);
    const b = key(top);
    for (let i = 0; i < a.length; i++) {
      if (a[i]! !== b[i]!) {
        if (a[i]! > b[i]!) top = c;
        break;
      }
    }
  }
  return top;
}

export interface CertificateFacts {
  subject: string | null;
  issuer: string | null;
  san: string[];
  validFrom: string | null;
  validTo: string | null;
  selfSigned: boolean;
  /** The certificate names the candidate host. */
  coversHost: boolean;
  /** Chains to the trust store (from the HTTPS fetch). */
  authorized: boolean | null;
  fingerprint256: string | null;
}

function nameMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) {
    const rest = p.slice(2);
    return host.endsWith(`.${rest}`) && host.slice(0, -rest.length - 1).indexOf('.') === -1;
  }
  return p === host;
}

/** A field of a distinguished name as X509Certificate prints it (`CN=…` lines). */
function dnField(dn: string, field: string): string | null {
  for (const line of dn.split('\n')) if (line.startsWith(`${field}=`)) return line.slice(field.length + 1);
  return null;
}

async function certificate(net: NetClient, host: string, authorized: boolean | null, pin: { address?: string }, o: TriageOptions): Promise<{ facts: CertificateFacts | null; error: { code: string; message: string } | null; ms: number }> {
  const t0 = performance.now();
  const ms = (): number => Math.round(performance.now() - t0);
  const r = await peekTls(net, host, 443, { timeoutMs: o.timeoutMs, ...pin, ...(o.signal ? { signal: o.signal } : {}) });
  // a handshake that failed is ETLS (a timeout or an abort aside); a connection that failed says why
  if ('code' in r) return { facts: null, error: { code: r.during === 'handshake' && r.code !== 'ETIMEDOUT' && r.code !== 'EABORTED' ? 'ETLS' : r.code, message: r.message }, ms: ms() };
  const leaf = r.chain[0]!;
  const san = (leaf.subjectAltName ?? '').split(/,\s*/).filter((x) => x.startsWith('DNS:')).map((x) => x.slice(4));
  const cn = dnField(leaf.subject, 'CN');
  const issuer = [dnField(leaf.issuer, 'CN'), dnField(leaf.issuer, 'O')].filter((x): x is string => x !== null).join(', ') || null;
  return {
    facts: {
      subject: cn,
      issuer,
      san,
      validFrom: new Date(leaf.validFrom).toISOString(),
      validTo: new Date(leaf.validTo).toISOString(),
      selfSigned: leaf.subject === leaf.issuer,
      coversHost: (san.length ? san : cn ? [cn] : []).some((n) => nameMatches(n, host)),
      authorized,
      fingerprint256: leaf.fingerprint256,
    },
    error: null,
    ms: ms(),
  };
}

export interface TriageResult {
  facts: Record<string, Fact>;
  evidence: string[];
  attempts: Attempt[];
  imitates: Site;
  score: number;
  signals: string[];
}

function describe(r: FetchResult): string {
  const chain = r.hops.map((h) => `${h.status}${h.location ? ` → ${h.location}` : ''}`).join(', ');
  if (r.error) return `GET ${r.url}: ${r.error.code} ${r.error.message}${chain ? ` (after ${chain})` : ''}`;
  return `GET ${r.url}: ${chain} in ${r.timings.totalMs} ms`;
}

/**
 * Fetch a live candidate and compare it with every registered site it may
 * imitate (`genuine`, loaded by the caller). Facts only: what the page
 * copies, how similar it is, what forms it holds; the rules judge.
 */
export async function triage(host: string, dns: { address: string | null; ns: readonly string[] }, genuine: Genuine[], net: NetClient, o: TriageOptions): Promise<TriageResult> {
  const ns = dns.ns;
  // Connect to the address the hunt resolved: no second lookup to lose (redirects elsewhere resolve as usual).
  const pin = dns.address ? { address: dns.address } : {};
  const at = (): string => (o.now?.() ?? new Date()).toISOString();
  const primary = genuine[0]!.site;
  const siteRef = ref(primary);
  const opts = { timeoutMs: o.timeoutMs, maxBytes: PAGE_BYTES, ...pin, ...(o.signal ? { signal: o.signal } : {}) };
  const startedAt = at();
  const [https, http] = await Promise.all([net.fetch(`https://${host}/`, opts), net.fetch(`http://${host}/`, opts)]);
  const attempts = [fetchAttempt('lookalike', siteRef, https, 'https:GET', startedAt), fetchAttempt('lookalike', siteRef, http, 'http:GET', startedAt)];
  const chosen = loadedOk(https) ? https : loadedOk(http) ? http : null;
  const unknown = https.error?.status === 'unknown' && http.error?.status === 'unknown';
  const loaded = chosen ? true : unknown ? null : false;

  let cert: CertificateFacts | null = null;
  if (https.tls) {
    const started = at();
    const c = await certificate(net, host, https.tls.authorized, pin, o);
    cert = c.facts;
    const a: Attempt = { scanner: 'lookalike', site: siteRef, target: `${host}:443`, check: 'tls:certificate', status: c.error ? 'error' : 'ok', startedAt: started, durationMs: c.ms };
    if (c.error) a.error = c.error;
    attempts.push(a);
  }

  const finalHost = chosen ? hostOf(chosen.finalUrl) : null;
  const redirectsToRegistered = chosen ? finalHost !== host && net.isRegisteredHost(finalHost!) : null;
  let page: PageFeatures | null = null;
  let faviconHash: string | null = null;
  if (chosen) {
    page = pageFeatures(chosen.body, contentType(chosen));
    const started = at();
    const f = await favicon(net, chosen.finalUrl, o, hostOf(chosen.finalUrl) === host ? pin : {});
    faviconHash = f.hash;
    attempts.push(fetchAttempt('lookalike', siteRef, f.result, 'favicon:GET', started));
  }
  const cmp = page ? best(genuine.map((g) => compare(page!, faviconHash, g))) : null;
  const imitates = cmp?.imitates.site ?? primary;
  for (const a of attempts) a.site = ref(imitates);

  const parkedMarkers = [...(page?.parkedMarkers ?? []), ...parkingNameServers(ns)];
  const share = cmp && cmp.imitates ? cmp.copied.length / IDENTITY_TOKENS.filter((t) => cmp.imitates.identity[t].length > 0).length : 0;
  const score = cmp ? Math.round(100 * Math.max(share, cmp.textSimilarity ?? 0, cmp.titleSimilarity ?? 0)) : 0;
  const signals: string[] = [];
  if (cmp) {
    for (const t of cmp.copied) signals.push(`copies ${t} ${cmp.copiedValues[t]}`);
    if (cmp.textSimilarity !== null) signals.push(`text similarity ${cmp.textSimilarity}`);
    if (cmp.titleSimilarity !== null) signals.push(`title similarity ${cmp.titleSimilarity}`);
    if (cmp.faviconSame) signals.push('same favicon');
    if (cmp.mentionsSiteName) signals.push(`mentions ${cmp.imitates.site.name}`);
  }
  if (page?.loginForm) signals.push('login form');
  if (page?.paymentForm) signals.push('payment form');
  for (const m of parkedMarkers) signals.push(`parked: ${m}`);
  if (redirectsToRegistered) signals.push(`redirects to the registered ${finalHost}`);
  if (!chosen) signals.push(unknown ? `not contacted: ${https.error?.code}` : `no page: https ${https.error?.code ?? https.status}, http ${http.error?.code ?? http.status}`);

  const facts: Record<string, Fact> = {
    loaded,
    scheme: chosen ? new URL(chosen.url).protocol.replace(':', '') : null,
    status: chosen?.status ?? null,
    finalUrl: chosen?.finalUrl ?? null,
    redirectsToRegistered,
    https: { status: https.status, error: https.error?.code ?? null, tlsAuthorized: https.tls ? https.tls.authorized : null },
    http: { status: http.status, error: http.error?.code ?? null },
    certificate: cert ? { ...cert } : null,
    title: page?.title ?? null,
    charset: page?.charset ?? null,
    textLength: page ? page.text.length : null,
    imitates: { code: imitates.code, name: imitates.name },
    copied: cmp ? cmp.copied : null,
    copiedValues: cmp ? { ...cmp.copiedValues } : null,
    titleSimilarity: cmp?.titleSimilarity ?? null,
    textSimilarity: cmp?.textSimilarity ?? null,
    structureSimilarity: cmp?.structureSimilarity ?? null,
    faviconSame: cmp?.faviconSame ?? null,
    mentionsSiteName: cmp ? cmp.mentionsSiteName : null,
    loginForm: page ? page.loginForm : null,
    paymentForm: page ? page.paymentForm : null,
    parkedMarkers,
    score,
  };
  const evidence = [describe(https), describe(http)];
  if (cert) evidence.push(`certificate: ${cert.subject ?? '?'} issued by ${cert.issuer ?? '?'}${cert.coversHost ? '' : ' (does not name the host)'}${cert.authorized ? '' : ', not trusted'}`);
  if (page?.title) evidence.push(`title: ${page.title}`);
  return { facts, evidence, attempts, imitates, score, signals };
}
