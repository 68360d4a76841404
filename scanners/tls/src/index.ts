import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import type { Attempt, DnsResult, Fact, Observation, ScanContext, Scanner, Site } from '@govscan/core';
import { certificateFacts, tlsHandshake, trustAnchors, type HandshakeFailure, type HandshakeResult, type TrustAnchors } from './cert.js';
import { enumerate, type Enumeration } from './enumerate.js';
import { grade } from './grade.js';
import { suiteByCode, suiteClasses, type CipherSuite } from './suites.js';
import { PROTOCOLS, type Protocol } from './wire.js';
import { networkDeadline } from '@govscan/net';

export { buildClientHello, exchange, FlightParser, GROUPS, PROTOCOLS, type FirstFlight, type Protocol } from './wire.js';
export { SUITES, TLCP, suiteByCode, suiteName, type CipherSuite } from './suites.js';
export { grade, type GradeInput, type GradeResult } from './grade.js';
export { analyseChain, signatureOid, trustAnchors } from './cert.js';
export { enumerate, type Enumeration } from './enumerate.js';

const SCANNER = 'tls';
const LEGACY: readonly string[] = ['SSLv3', 'TLSv1.0', 'TLSv1.1'];
/** The cipher classes rules/tls.yaml calls weak (tls.cipher.weak). */
const WEAK_CLASSES: readonly string[] = ['null', 'export', 'anon', 'rc4', 'des', '3des'];
const GRADED: readonly Protocol[] = ['SSLv3', 'TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
/** Suite classes whose accepted suites are listed by name in `suitesByClass`. */
const LISTED_CLASSES = ['null', 'export', 'anon', 'rc4', 'des', '3des', 'no-fs'];

interface Target {
  host: string;
  port: number;
  /** The registry lists an https:// URL for this host and port. */
  httpsRegistered: boolean;
}

/** Every host of the site, on its registered HTTPS port (443 for hosts registered with http:// only). */
function targetsOf(site: Site): Target[] {
  const seen = new Map<string, Target>();
  for (const u of site.urls) {
    const url = new URL(u);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const https = url.protocol === 'https:';
    const port = https && url.port ? Number(url.port) : 443;
    const prev = seen.get(`${host}:${port}`);
    seen.set(`${host}:${port}`, { host, port, httpsRegistered: https || Boolean(prev?.httpsRegistered) });
  }
  return [...seen.values()];
}

function hstsMaxAge(h: string | string[] | undefined): number | null {
  const v = Array.isArray(h) ? h[0] : h;
  const m = v ? /max-age\s*=\s*"?(\d+)/i.exec(v) : null;
  return m ? Number(m[1]) : null;
}

function names(codes: readonly number[], tlcp = false): string[] {
  return codes.map((c) => suiteByCode(c, tlcp)?.name ?? `0x${c.toString(16).padStart(4, '0')}`);
}

interface EndpointResult {
  observation: Observation;
  attempts: Attempt[];
  /** Compared across the addresses of a host. */
  signature: Record<string, Fact>;
}

async function assessEndpoint(site: Site, t: Target, address: string, ctx: ScanContext, anchors: TrustAnchors): Promise<EndpointResult> {
  const ref = { code: site.code, name: site.name };
  const startedAt = ctx.now().toISOString();
  const t0 = performance.now();
  const deadline = networkDeadline(Math.max(1000, 2 * ctx.timeoutMs));
  const signal = AbortSignal.any([ctx.signal, deadline.signal]);
  const locator = `${address.includes(':') ? `[${address}]` : address}:${t.port}`;
  const base = { net: ctx.net, host: t.host, port: t.port, address, timeoutMs: ctx.timeoutMs, signal };

  const [en, hs0, hsts] = await Promise.all([
    enumerate({ ...base, concurrency: 8 }),
    tlsHandshake(base),
    ctx.net.fetch(`https://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}/`, { method: 'HEAD', address, maxRedirects: 0, maxBytes: 0, timeoutMs: Math.min(ctx.timeoutMs, 5000), signal }),
  ]);
  let hs: HandshakeResult | HandshakeFailure = hs0;
  if (!hs.ok && hs.code !== 'ETIMEDOUT' && hs.code !== 'EABORTED' && en.protocols['TLSv1.2'].status === 'accepted' && en.protocols['TLSv1.3'].status === 'accepted') {
    // e.g. an RSA key too small for TLS 1.3's RSA-PSS: the certificate is still there with TLS 1.2
    hs = await tlsHandshake({ ...base, maxVersion: 'TLSv1.2' });
  }
  const durationMs = Math.round(performance.now() - t0);
  const attempts: Attempt[] = [];
  const attempt = (check: string, err: { code: string; message: string; status: 'error' | 'unknown' } | null): void => {
    const a: Attempt = { scanner: SCANNER, site: ref, target: t.host, check: `${check}@${locator}`, status: err ? err.status : 'ok', startedAt, durationMs };
    if (err) a.error = { code: err.code, message: err.message };
    attempts.push(a);
  };

  // --- protocols and suites
  const accepted = PROTOCOLS.filter((p) => en.protocols[p].status === 'accepted');
  const refused = PROTOCOLS.filter((p) => en.protocols[p].status === 'refused');
  const unknown = PROTOCOLS.filter((p) => en.protocols[p].status === 'unknown');
  for (const p of PROTOCOLS) {
    const r = en.protocols[p];
    attempt(`tls:${p}`, r.error ?? (r.complete ? null : { code: 'EINCOMPLETE', message: `${p}: a step of the suite enumeration failed; the suite list may be short`, status: 'error' }));
  }
  const knownProtocols = unknown.length === 0;
  const httpsAvailable: boolean | null = accepted.length > 0 ? true : en.reachable === 'refused' ? false : en.reachable === 'tls' && knownProtocols ? false : null;

  const gradedSuites: CipherSuite[] = [];
  const suitesByProtocol: Record<string, Fact> = {};
  const byProtocol: Partial<Record<Protocol, CipherSuite[]>> = {};
  for (const p of accepted) {
    const list = en.protocols[p].suites.map((c) => suiteByCode(c, p === 'TLCP')).filter((s): s is CipherSuite => Boolean(s));
    byProtocol[p] = list;
    suitesByProtocol[p] = list.map((s) => s.name);
    if (p !== 'TLCP') for (const s of list) if (!gradedSuites.includes(s)) gradedSuites.push(s);
  }
  const classes = [...new Set(gradedSuites.flatMap(suiteClasses))];
  const suitesByClass: Record<string, Fact> = {};
  for (const c of LISTED_CLASSES) {
    const list = gradedSuites.filter((s) => suiteClasses(s).includes(c)).map((s) => s.name);
    if (list.length) suitesByClass[c] = list;
  }
  const enumerationComplete = knownProtocols && PROTOCOLS.every((p) => en.protocols[p].complete);
  const bestLegacy = (['TLSv1.2', 'TLSv1.1', 'TLSv1.0', 'SSLv3'] as const).find((p) => accepted.includes(p));
  const preferredLegacy = bestLegacy ? suiteByCode(en.protocols[bestLegacy].preferred ?? -1) : undefined;
  const tls13 = en.protocols['TLSv1.3'].status === 'accepted' ? true : en.protocols['TLSv1.3'].status === 'refused' ? false : null;
  const tlcp = en.protocols.TLCP.status === 'accepted' ? true : en.protocols.TLCP.status === 'refused' ? false : null;
  const sm13 = tls13 === null ? null : (byProtocol['TLSv1.3'] ?? []).some((s) => s.flags.sm);

  // --- certificate: the chain as sent (raw first flight when TLS ≤ 1.2 answered, else node:tls)
  let chain: X509Certificate[] | null = null;
  let certSource: string | null = null;
  const flightCerts = en.certificateFlight?.certificates;
  if (flightCerts && flightCerts.length > 0) {
    try {
      chain = flightCerts.map((d) => new X509Certificate(d));
      certSource = `first flight (${en.certificateFlight?.protocol ?? 'TLS'})`;
    } catch {
      chain = null;
    }
  }
  if (!chain && hs.ok) {
    chain = hs.chain;
    certSource = `handshake (${hs.protocol ?? 'TLS'})`;
  }
  const ocspStapled: boolean | null = hs.ok ? hs.ocspStapled : (en.certificateFlight?.ocspStapled ?? null);
  let certFacts: Record<string, Fact> = {};
  let certError: { code: string; message: string; status: 'error' | 'unknown' } | null = null;
  if (chain) {
    certFacts = certificateFacts(chain, t.host, ctx.now(), anchors);
  } else {
    const flightErr = en.certificateFlight?.certError;
    certError = !hs.ok
      ? { code: flightErr?.code ?? hs.code, message: `${flightErr ? `first flight: ${flightErr.message}; ` : ''}handshake: ${hs.message}`, status: hs.status }
      : { code: 'ENOCERT', message: 'no certificate', status: 'error' };
    if (httpsAvailable === false && en.reachable === 'refused') certError = { code: 'ECONNREFUSED', message: 'no TLS service', status: 'error' };
  }
  // No TLS at all is already established by the protocol checks; the certificate check only counts where TLS may be.
  if (httpsAvailable !== false) attempt('tls:certificate', certError);
  const certNulls = ['certSubject', 'certIssuer', 'certSerial', 'certFingerprint256', 'certSubjectAltName', 'certNotBefore', 'certNotAfter', 'daysToExpiry', 'expired', 'notYetValid', 'selfSigned', 'trusted', 'chainComplete', 'chainPathEnd', 'chainPath', 'chainSent', 'chainUnusedSent', 'aiaIssuerUrl', 'hostnameMatch', 'keyType', 'keyBits', 'keyCurve', 'signatureAlgorithm', 'signatureHash', 'chainSignatureHashes'];
  const cert: Record<string, Fact> = Object.fromEntries(certNulls.map((k) => [k, certFacts[k] ?? null]));

  // --- grade (only from a complete picture: every protocol known, a certificate)
  const maxAge = hsts.error ? null : hstsMaxAge(hsts.headers['strict-transport-security']);
  const g =
    httpsAvailable && knownProtocols && chain
      ? grade({
          protocols: accepted.filter((p) => GRADED.includes(p)),
          suites: gradedSuites,
          suitesByProtocol: byProtocol,
          keyType: cert.keyType as string | null,
          keyBits: cert.keyBits as number | null,
          cert: {
            trusted: cert.trusted === true,
            selfSigned: cert.selfSigned === true,
            expired: cert.expired === true,
            notYetValid: cert.notYetValid === true,
            hostnameMatch: cert.hostnameMatch !== false,
            chainComplete: cert.chainComplete !== false,
            signatureHash: cert.signatureHash as string | null,
          },
          hstsMaxAge: maxAge,
        })
      : null;

  const gradedAvailable = httpsAvailable === true && gradedSuites.length > 0;
  const facts: Record<string, Fact> = {
    host: t.host,
    port: t.port,
    address,
    family: net.isIPv6(address) ? 6 : 4,
    httpsAvailable,
    httpsRegistered: t.httpsRegistered,
    protocols: accepted,
    protocolsRefused: refused,
    protocolsUnknown: unknown,
    // The legacy protocols accepted; null when none was seen but one of them could not be tried.
    legacyProtocols: accepted.some((p) => LEGACY.includes(p)) || !unknown.some((p) => LEGACY.includes(p)) ? accepted.filter((p) => LEGACY.includes(p)) : null,
    protocolRefusals: Object.fromEntries(refused.map((p) => [p, en.protocols[p].refusal])),
    tls13,
    enumerationComplete,
    suites: gradedSuites.map((s) => s.name),
    suitesByProtocol,
    // With the enumeration incomplete and nothing weak seen, what was not tried may be weak: unknown.
    cipherClasses: !gradedAvailable ? [] : enumerationComplete || classes.some((c) => WEAK_CLASSES.includes(c)) ? classes : null,
    suitesByClass,
    minCipherStrength: gradedAvailable ? Math.min(...gradedSuites.map((s) => s.strength)) : null,
    fsSupported: gradedAvailable && enumerationComplete ? gradedSuites.some((s) => s.flags.fs) : gradedAvailable && gradedSuites.some((s) => s.flags.fs) ? true : null,
    fsPreferred: !gradedAvailable ? null : preferredLegacy ? preferredLegacy.flags.fs : tls13 === true ? true : null,
    preferredSuites: Object.fromEntries(accepted.map((p) => [p, names([en.protocols[p].preferred ?? -1], p === 'TLCP')[0]!])),
    serverPreference: Object.fromEntries(accepted.map((p) => [p, en.protocols[p].serverPreference])),
    groups: Object.entries(en.groups).filter(([, v]) => v === true).map(([k]) => k),
    groupsRefused: Object.entries(en.groups).filter(([, v]) => v === false).map(([k]) => k),
    groupsVia: en.groupsVia,
    tlcp,
    tlcpSuites: names(en.protocols.TLCP.suites, true),
    smTls13: sm13,
    ...cert,
    certSource,
    ocspStapled: chain ? ocspStapled : null,
    hstsMaxAge: maxAge,
    grade: g?.grade ?? null,
    gradeScore: g?.score ?? null,
    gradeDecidedBy: g?.decidedBy ?? null,
    gradeCaps: g ? g.caps.map((c) => `${c.max}: ${c.reason}`) : [],
    gradeIfTrusted: g?.gradeIfTrusted ?? null,
    handshakes: en.handshakes,
    durationMs,
  };
  const problems = attempts.filter((a) => a.status !== 'ok').map((a) => `${a.check}: ${a.error?.code}`);
  const evidence = [
    `${locator}: ${httpsAvailable === null ? 'TLS could not be established' : httpsAvailable ? accepted.join(' ') : 'no TLS'}${gradedSuites.length ? `; ${gradedSuites.length} suites` : ''}${g ? `; grade ${g.grade} (${g.decidedBy})` : ''}; ${en.handshakes} handshakes in ${durationMs} ms${problems.length ? `; not established: ${problems.join(', ')}` : ''}`,
  ];
  // One endpoint per host and port: the findings of a rule on several addresses of a host are one finding listing them.
  const observation: Observation = { scanner: SCANNER, kind: 'tls.endpoint', site: ref, target: t.host, locator: `tls:${t.port}`, facts, evidence, observedAt: startedAt };
  const signature: Record<string, Fact> = {
    httpsAvailable,
    httpsRegistered: t.httpsRegistered,
    protocols: accepted,
    suites: PROTOCOLS.flatMap((p) => (byProtocol[p] ?? []).map((s) => `${p}/${s.name}`)),
    certFingerprint256: cert.certFingerprint256 ?? null,
    grade: g?.grade ?? null,
    ocspStapled: facts.ocspStapled ?? null,
  };
  return { observation, attempts, signature };
}

function describeDifferences(per: { address: string; signature: Record<string, Fact> }[]): string[] {
  const out: string[] = [];
  const [first, ...rest] = per;
  if (!first) return out;
  for (const other of rest) {
    for (const key of Object.keys(first.signature)) {
      const a = first.signature[key] ?? null;
      const b = other.signature[key] ?? null;
      if (a === null || b === null) continue;
      if (Array.isArray(a) && Array.isArray(b)) {
        const onlyA = a.filter((x) => !b.includes(x));
        const onlyB = b.filter((x) => !a.includes(x));
        if (onlyA.length || onlyB.length) out.push(`${key}: ${first.address} only ${JSON.stringify(onlyA)}, ${other.address} only ${JSON.stringify(onlyB)}`);
      } else if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${key}: ${first.address} ${JSON.stringify(a)} vs ${other.address} ${JSON.stringify(b)}`);
    }
  }
  return out;
}

/**
 * TLS: per host of the site and per A/AAAA address, protocols (SSLv3–TLS 1.3,
 * TLCP), cipher suites, groups and server preference by hand-built
 * ClientHellos; the certificate chain as sent and its analysis; a grade after
 * the SSL Labs rating guide; and whether the addresses of a host agree.
 */
export const tls = {
  id: SCANNER,
  title: { zh: 'TLS 协议、密码套件与证书', en: 'TLS protocols, cipher suites and certificates' },
  emits: ['tls.endpoint', 'tls.host'],
  async scan(site: Site, ctx: ScanContext) {
    const observations: Observation[] = [];
    const attempts: Attempt[] = [];
    const ref = { code: site.code, name: site.name };
    let anchors: TrustAnchors;
    try {
      anchors = trustAnchors(ctx.caFile);
    } catch (err) {
      const now = ctx.now().toISOString();
      return { observations, attempts: [{ scanner: SCANNER, site: ref, target: site.urls[0] ?? '', check: 'tls:trust-store', status: 'unknown' as const, error: { code: 'E_CA_FILE', message: (err as Error).message }, startedAt: now, durationMs: 0, covers: ['tls.endpoint', 'tls.host'] }] };
    }
    await Promise.all(
      targetsOf(site).map(async (t) => {
        const startedAt = ctx.now().toISOString();
        let addresses: string[];
        if (net.isIP(t.host)) addresses = [t.host];
        else {
          const [a, aaaa] = await Promise.all([ctx.net.resolve(t.host, 'A', { signal: ctx.signal }), ctx.net.resolve(t.host, 'AAAA', { signal: ctx.signal })]);
          const ok = (r: DnsResult): string[] => (r.status === 'ok' ? r.answers.filter((x) => x.type === r.type && net.isIP(x.data)).map((x) => x.data) : []);
          addresses = [...new Set([...ok(a), ...ok(aaaa)])];
          const answered = (r: DnsResult): boolean => ['ok', 'nodata', 'nxdomain'].includes(r.status);
          // One family answered, the other not: the addresses it would have given are not assessed.
          if (addresses.length > 0 && (!answered(a) || !answered(aaaa))) {
            const gap = !answered(a) ? a : aaaa;
            attempts.push({ scanner: SCANNER, site: ref, target: t.host, check: 'tls:resolve', status: 'unknown', error: { code: 'EDNSUNKNOWN', message: `${gap.type} ${gap.status}: the addresses it would give are not assessed` }, startedAt, durationMs: a.elapsedMs + aaaa.elapsedMs, covers: ['tls.endpoint', 'tls.host'] });
          }
          if (addresses.length === 0) {
            const err = !answered(a) || !answered(aaaa) ? { code: 'EDNSUNKNOWN', message: `A ${a.status}, AAAA ${aaaa.status}`, status: 'unknown' as const } : { code: a.status === 'nxdomain' ? 'ENOTFOUND' : 'ENOADDRESS', message: `A ${a.status}, AAAA ${aaaa.status}`, status: 'error' as const };
            attempts.push({ scanner: SCANNER, site: ref, target: t.host, check: 'tls:resolve', status: err.status, error: { code: err.code, message: err.message }, startedAt, durationMs: a.elapsedMs + aaaa.elapsedMs, covers: ['tls.endpoint', 'tls.host'] });
            return;
          }
        }
        const results = await Promise.all(addresses.map((address) => assessEndpoint(site, t, address, ctx, anchors)));
        for (const r of results) {
          observations.push(r.observation);
          attempts.push(...r.attempts);
        }
        const assessed = results.filter((r) => r.observation.facts.httpsAvailable !== null);
        const differences = describeDifferences(assessed.map((r) => ({ address: r.observation.facts.address as string, signature: r.signature })));
        observations.push({
          scanner: SCANNER,
          kind: 'tls.host',
          site: ref,
          target: t.host,
          locator: `tls:${t.port}`,
          facts: {
            host: t.host,
            port: t.port,
            addresses,
            addressesAssessed: assessed.map((r) => r.observation.facts.address as string),
            // One address cannot disagree with itself; two or more of which fewer than two were assessed: not known.
            consistent: addresses.length < 2 ? true : assessed.length < 2 ? null : differences.length === 0,
            differences,
            grades: Object.fromEntries(results.map((r) => [r.observation.facts.address as string, r.observation.facts.grade ?? null])),
          },
          evidence: differences.length ? differences.slice(0, 5) : [],
          observedAt: startedAt,
        });
      }),
    );
    return { observations, attempts };
  },
} as const satisfies Scanner;
