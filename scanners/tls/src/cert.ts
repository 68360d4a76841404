/**
 * Certificates: a full handshake with node:tls (through a raw socket from
 * `ctx.net.connect`, so --connect-to, the resolver and the address policy
 * apply) for the chain and the stapled OCSP response, and the analysis of a
 * chain as sent: trust path, hostname, dates, key, signature algorithm.
 */
import { X509Certificate } from 'node:crypto';
import tls, { type SecureContext } from 'node:tls';
import type { NetClient } from '@govscan/core';
import { peekTls, trustStore } from '@govscan/net';

export interface TrustAnchors {
  bySubject: Map<string, X509Certificate[]>;
  fingerprints: Set<string>;
  count: number;
}

const anchorCache = new Map<string, TrustAnchors>();

/**
 * Node's roots + NODE_EXTRA_CA_CERTS + --ca-file (the same store as `@govscan/net`),
 * parsed once per file. Trust is judged here (`analyseChain`), not by OpenSSL, so the
 * handshake itself needs no CA list.
 */
export function trustAnchors(caFile?: string): TrustAnchors {
  const key = `${caFile ?? ''}\x1f${process.env.NODE_EXTRA_CA_CERTS ?? ''}`;
  let a = anchorCache.get(key);
  if (!a) {
    const pems = trustStore(caFile);
    const bySubject = new Map<string, X509Certificate[]>();
    const fingerprints = new Set<string>();
    for (const pem of pems) {
      try {
        const x = new X509Certificate(pem);
        bySubject.set(x.subject, [...(bySubject.get(x.subject) ?? []), x]);
        fingerprints.add(x.fingerprint256);
      } catch {
        // a root node cannot parse cannot anchor anything
      }
    }
    a = { bySubject, fingerprints, count: fingerprints.size };
    anchorCache.set(key, a);
  }
  return a;
}

const contexts = new Map<string, SecureContext>();
/** Security level 0 and TLS 1.0 and up: the point is to see the certificate of an old server, not to trust the connection. */
function handshakeContext(maxVersion?: 'TLSv1.2'): SecureContext {
  const key = maxVersion ?? 'any';
  let c = contexts.get(key);
  if (!c) {
    c = tls.createSecureContext({ ciphers: 'ALL:@SECLEVEL=0', minVersion: 'TLSv1', ...(maxVersion ? { maxVersion } : {}) });
    contexts.set(key, c);
  }
  return c;
}

export interface HandshakeResult {
  ok: true;
  /** Leaf first, then the issuers the server sent. */
  chain: X509Certificate[];
  ocspStapled: boolean;
  protocol: string | null;
  cipher: string | null;
}

export interface HandshakeFailure {
  ok: false;
  code: string;
  message: string;
  status: 'error' | 'unknown';
}

/** One full handshake with node:tls (net's TLS peek). Bounded by `timeoutMs`; the socket is always destroyed. */
export async function tlsHandshake(o: { net: NetClient; host: string; port: number; address: string; timeoutMs: number; signal: AbortSignal; maxVersion?: 'TLSv1.2' }): Promise<HandshakeResult | HandshakeFailure> {
  const r = await peekTls(o.net, o.host, o.port, { address: o.address, timeoutMs: o.timeoutMs, signal: o.signal, secureContext: handshakeContext(o.maxVersion), requestOCSP: true });
  if ('code' in r) return { ok: false, code: r.code, message: r.message, status: r.status };
  return { ok: true, chain: r.chain, ocspStapled: r.ocspStapled, protocol: r.protocol, cipher: r.cipher };
}

// ---------------------------------------------------------------------------
// Analysis

const SIG_OIDS: Record<string, [name: string, hash: string]> = {
  '1.2.840.113549.1.1.2': ['md2WithRSAEncryption', 'MD2'],
  '1.2.840.113549.1.1.4': ['md5WithRSAEncryption', 'MD5'],
  '1.2.840.113549.1.1.5': ['sha1WithRSAEncryption', 'SHA1'],
  '1.3.14.3.2.29': ['sha1WithRSASignature', 'SHA1'],
  '1.2.840.113549.1.1.14': ['sha224WithRSAEncryption', 'SHA224'],
  '1.2.840.113549.1.1.11': ['sha256WithRSAEncryption', 'SHA256'],
  '1.2.840.113549.1.1.12': ['sha384WithRSAEncryption', 'SHA384'],
  '1.2.840.113549.1.1.13': ['sha512WithRSAEncryption', 'SHA512'],
  '1.2.840.113549.1.1.10': ['rsassaPss', 'RSA-PSS'],
  '1.2.840.10045.4.1': ['ecdsa-with-SHA1', 'SHA1'],
  '1.2.840.10045.4.3.1': ['ecdsa-with-SHA224', 'SHA224'],
  '1.2.840.10045.4.3.2': ['ecdsa-with-SHA256', 'SHA256'],
  '1.2.840.10045.4.3.3': ['ecdsa-with-SHA384', 'SHA384'],
  '1.2.840.10045.4.3.4': ['ecdsa-with-SHA512', 'SHA512'],
  '1.2.840.10040.4.3': ['dsa-with-sha1', 'SHA1'],
  '2.16.840.1.101.3.4.3.2': ['dsa-with-sha256', 'SHA256'],
  '1.3.101.112': ['Ed25519', 'Ed25519'],
  '1.3.101.113': ['Ed448', 'Ed448'],
  '1.2.156.10197.1.501': ['SM2-with-SM3', 'SM3'],
};

/** DER: read tag and length at `p`; returns [contentStart, contentEnd]. */
function tlv(der: Buffer, p: number): [tag: number, start: number, end: number] {
  const tag = der[p]!;
  let len = der[p + 1]!;
  let start = p + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 4) throw new Error('bad DER length');
    len = der.readUIntBE(p + 2, n);
    start = p + 2 + n;
  }
  if (start + len > der.length) throw new Error('DER overrun');
  return [tag, start, start + len];
}

function oidToString(b: Buffer): string {
  const parts: number[] = [Math.floor(b[0]! / 40), b[0]! % 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** The certificate's signatureAlgorithm OID (Certificate ::= SEQUENCE { tbs, signatureAlgorithm, signature }). */
export function signatureOid(der: Buffer): string | null {
  try {
    const [t0, s0] = tlv(der, 0);
    if (t0 !== 0x30) return null;
    const [, , tbsEnd] = tlv(der, s0);
    const [t1, s1] = tlv(der, tbsEnd);
    if (t1 !== 0x30) return null;
    const [t2, s2, e2] = tlv(der, s1);
    if (t2 !== 0x06) return null;
    return oidToString(der.subarray(s2, e2));
  } catch {
    return null;
  }
}

export function signatureInfo(x: X509Certificate): { algorithm: string | null; hash: string | null } {
  const oid = signatureOid(x.raw);
  if (!oid) return { algorithm: null, hash: null };
  const known = SIG_OIDS[oid];
  return known ? { algorithm: known[0], hash: known[1] } : { algorithm: oid, hash: null };
}

const CURVE_BITS: Record<string, number> = {
  prime256v1: 256, 'P-256': 256, secp256r1: 256, secp256k1: 256, SM2: 256, sm2: 256, brainpoolP256r1: 256,
  secp384r1: 384, 'P-384': 384, brainpoolP384r1: 384, secp521r1: 521, 'P-521': 521, brainpoolP512r1: 512,
  secp224r1: 224, 'P-224': 224, prime192v1: 192, secp192r1: 192,
};

export function keyInfo(x: X509Certificate): { type: string | null; bits: number | null; curve: string | null } {
  try {
    const k = x.publicKey;
    const t: string | null = k.asymmetricKeyType ?? null;
    const d = k.asymmetricKeyDetails ?? {};
    if (t === 'rsa' || t === 'rsa-pss') return { type: 'RSA', bits: d.modulusLength ?? null, curve: null };
    if (t === 'dsa') return { type: 'DSA', bits: d.modulusLength ?? null, curve: null };
    if (t === 'ec' || t === 'sm2') return { type: t === 'sm2' || d.namedCurve === 'SM2' ? 'SM2' : 'EC', bits: d.namedCurve ? (CURVE_BITS[d.namedCurve] ?? null) : null, curve: d.namedCurve ?? null };
    if (t === 'ed25519') return { type: 'Ed25519', bits: 256, curve: null };
    if (t === 'ed448') return { type: 'Ed448', bits: 456, curve: null };
    return { type: t, bits: null, curve: null };
  } catch {
    return { type: null, bits: null, curve: null };
  }
}

function issues(issuer: X509Certificate, cert: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** Issued by itself: issuer name = subject name and its own key verifies it (key usage not required: end-entity self-signed certificates seldom assert keyCertSign). */
export function isSelfSigned(x: X509Certificate): boolean {
  try {
    return x.issuer === x.subject && x.verify(x.publicKey);
  } catch {
    return false;
  }
}

export interface ChainAnalysis {
  selfSigned: boolean;
  /** The chain reaches a trust anchor (signatures checked; dates not). */
  trusted: boolean;
  /** false: the issuer of the leaf was neither sent nor in the trust store (a missing intermediate). */
  chainComplete: boolean;
  /** Where the trust path stops: `anchor`, `self-signed-root` (not in the store), `missing-issuer`. */
  pathEnd: 'anchor' | 'self-signed-root' | 'missing-issuer';
  /** Depth at which the path stopped (0 = leaf). */
  pathDepth: number;
  /** Subjects along the path, leaf first (anchor included). */
  path: string[];
  /** Certificates sent that were not used in the path (extra, or out of order). */
  unusedSent: number;
  /** The leaf's AIA "CA Issuers" URL, if any (where a client could fetch a missing intermediate). */
  aiaIssuerUrl: string | null;
}

/** Build the trust path from the leaf through the certificates sent to an anchor of the store. */
export function analyseChain(chain: readonly X509Certificate[], anchors: TrustAnchors): ChainAnalysis {
  const leaf = chain[0]!;
  const sent = chain.slice(1);
  const used = new Set<X509Certificate>();
  const path: string[] = [leaf.subject];
  const aia = /CA Issuers - URI:(\S+)/.exec(leaf.infoAccess ?? '')?.[1] ?? null;
  const selfSigned = isSelfSigned(leaf);
  let cur = leaf;
  for (let depth = 0; depth < 10; depth++) {
    const self = isSelfSigned(cur);
    if (self) {
      const isAnchor = anchors.fingerprints.has(cur.fingerprint256);
      return { selfSigned, trusted: isAnchor, chainComplete: true, pathEnd: isAnchor ? 'anchor' : 'self-signed-root', pathDepth: depth, path, unusedSent: sent.filter((c) => !used.has(c)).length, aiaIssuerUrl: aia };
    }
    const anchor = (anchors.bySubject.get(cur.issuer) ?? []).find((a) => issues(a, cur));
    if (anchor) {
      path.push(anchor.subject);
      return { selfSigned, trusted: true, chainComplete: true, pathEnd: 'anchor', pathDepth: depth + 1, path, unusedSent: sent.filter((c) => !used.has(c)).length, aiaIssuerUrl: aia };
    }
    const next = sent.find((c) => !used.has(c) && issues(c, cur));
    if (!next) {
      return { selfSigned, trusted: false, chainComplete: depth > 0, pathEnd: 'missing-issuer', pathDepth: depth, path, unusedSent: sent.filter((c) => !used.has(c)).length, aiaIssuerUrl: aia };
    }
    used.add(next);
    path.push(next.subject);
    cur = next;
  }
  return { selfSigned, trusted: false, chainComplete: false, pathEnd: 'missing-issuer', pathDepth: 10, path, unusedSent: 0, aiaIssuerUrl: aia };
}

const DAY = 24 * 3600 * 1000;

/** The facts of a certificate chain as sent, for `host`, at `now`. */
export function certificateFacts(chain: readonly X509Certificate[], host: string, now: Date, anchors: TrustAnchors): Record<string, string | number | boolean | null | string[]> {
  const leaf = chain[0]!;
  const a = analyseChain(chain, anchors);
  const key = keyInfo(leaf);
  const sig = signatureInfo(leaf);
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  const isIp = /^[\d.]+$|:/.test(host);
  let hostnameMatch: boolean;
  try {
    hostnameMatch = isIp ? leaf.checkIP(host) !== undefined : leaf.checkHost(host) !== undefined;
  } catch {
    hostnameMatch = false;
  }
  // Signature hashes of the certificates sent above the leaf (a trust anchor's own signature does not matter).
  const chainHashes = chain
    .slice(1)
    .filter((c) => !anchors.fingerprints.has(c.fingerprint256) && !isSelfSigned(c))
    .map((c) => signatureInfo(c).hash ?? 'unknown');
  return {
    certSubject: leaf.subject.replace(/\n/g, ', '),
    certIssuer: leaf.issuer.replace(/\n/g, ', '),
    certSerial: leaf.serialNumber,
    certFingerprint256: leaf.fingerprint256,
    certSubjectAltName: leaf.subjectAltName ?? null,
    certNotBefore: Number.isNaN(notBefore.getTime()) ? null : notBefore.toISOString(),
    certNotAfter: Number.isNaN(notAfter.getTime()) ? null : notAfter.toISOString(),
    daysToExpiry: Number.isNaN(notAfter.getTime()) ? null : Math.floor((notAfter.getTime() - now.getTime()) / DAY),
    expired: notAfter.getTime() < now.getTime(),
    notYetValid: notBefore.getTime() > now.getTime(),
    selfSigned: a.selfSigned,
    trusted: a.trusted,
    chainComplete: a.chainComplete,
    chainPathEnd: a.pathEnd,
    chainPath: a.path.map((s) => s.replace(/\n/g, ', ')),
    chainSent: chain.length,
    chainUnusedSent: a.unusedSent,
    aiaIssuerUrl: a.aiaIssuerUrl,
    hostnameMatch,
    keyType: key.type,
    keyBits: key.bits,
    keyCurve: key.curve,
    signatureAlgorithm: sig.algorithm,
    signatureHash: sig.hash,
    chainSignatureHashes: chainHashes,
  };
}
