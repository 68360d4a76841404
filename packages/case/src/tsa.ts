/**
 * RFC 3161 time-stamping: build a TimeStampReq over a SHA-256 digest (DER,
 * with node-forge's ASN.1 codec), send it to a time-stamping authority over
 * HTTP, and verify the TimeStampResp: status granted, the token's message
 * imprint equals the digest, the nonce echoes ours, the signed attributes'
 * message digest equals the hash of the TSTInfo, and the signature verifies
 * with the TSA certificate carried in the token (and, when one is given, that
 * certificate is the trusted one or is issued by it).
 */
import { createHash, randomBytes, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { request } from 'undici';
import { networkDeadline } from '@govscan/net';

const { asn1 } = forge;
const U = asn1.Class.UNIVERSAL;
const T = asn1.Type;
/** forge's typings know only the boolean form; the options object is what keeps BIT STRINGs as read. */
const fromDer = asn1.fromDer as unknown as (bytes: string, options: { decodeBitStrings?: boolean; strict?: boolean }) => forge.asn1.Asn1;

export const OID = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
} as const;

const HASH_BY_OID: Record<string, string> = { [OID.sha1]: 'sha1', [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' };

const bin = (b: Uint8Array): string => Buffer.from(b).toString('binary');
const buf = (s: string): Buffer => Buffer.from(s, 'binary');

/** A positive DER INTEGER from big-endian bytes. */
function positiveInteger(bytes: Uint8Array): forge.asn1.Asn1 {
  let b = Buffer.from(bytes);
  while (b.length > 1 && b[0] === 0 && (b[1]! & 0x80) === 0) b = b.subarray(1);
  if ((b[0]! & 0x80) !== 0) b = Buffer.concat([Buffer.from([0]), b]);
  return asn1.create(U, T.INTEGER, false, bin(b));
}

/** TimeStampReq { version 1, messageImprint { sha256, digest }, nonce, certReq TRUE } as DER. */
export function buildTimeStampReq(sha256Digest: Uint8Array, nonce: Uint8Array): Buffer {
  if (sha256Digest.length !== 32) throw new TypeError('expected a 32-byte SHA-256 digest');
  const req = asn1.create(U, T.SEQUENCE, true, [
    asn1.create(U, T.INTEGER, false, asn1.integerToDer(1).getBytes()),
    asn1.create(U, T.SEQUENCE, true, [
      asn1.create(U, T.SEQUENCE, true, [asn1.create(U, T.OID, false, asn1.oidToDer(OID.sha256).getBytes()), asn1.create(U, T.NULL, false, '')]),
      asn1.create(U, T.OCTETSTRING, false, bin(sha256Digest)),
    ]),
    positiveInteger(nonce),
    asn1.create(U, T.BOOLEAN, false, '\xff'),
  ]);
  return buf(asn1.toDer(req).getBytes());
}

export interface TimeStampRequestInfo {
  hashAlgorithm: string;
  digest: Buffer;
  nonce: Buffer | null;
  certReq: boolean;
}

/** Parse a TimeStampReq (for the test TSA and for inspection). */
export function parseTimeStampReq(der: Uint8Array): TimeStampRequestInfo {
  const root = fromDer(bin(der), { decodeBitStrings: false });
  const v = root.value as forge.asn1.Asn1[];
  const imprint = v[1]!.value as forge.asn1.Asn1[];
  const alg = asn1.derToOid((imprint[0]!.value as forge.asn1.Asn1[])[0]!.value as string);
  let nonce: Buffer | null = null;
  let certReq = false;
  for (const n of v.slice(2)) {
    if (n.tagClass === U && n.type === T.INTEGER) nonce = unsignedBytes(n.value as string);
    if (n.tagClass === U && n.type === T.BOOLEAN) certReq = (n.value as string) !== '\x00';
  }
  return { hashAlgorithm: HASH_BY_OID[alg] ?? alg, digest: buf(imprint[1]!.value as string), nonce, certReq };
}

function unsignedBytes(s: string): Buffer {
  let b = buf(s);
  while (b.length > 1 && b[0] === 0) b = b.subarray(1);
  return b;
}

export interface TimeStampVerification {
  ok: boolean;
  /** Why it failed (the first check that failed). */
  reason: string | null;
  status: number | null;
  genTime: string | null;
  serialNumber: string | null;
  policy: string | null;
  tsa: string | null;
  hashAlgorithm: string | null;
  imprint: string | null;
  nonce: string | null;
}

function children(n: forge.asn1.Asn1 | undefined): forge.asn1.Asn1[] {
  return n && Array.isArray(n.value) ? (n.value as forge.asn1.Asn1[]) : [];
}

function oidOf(n: forge.asn1.Asn1 | undefined): string | null {
  return n && n.tagClass === U && n.type === T.OID ? asn1.derToOid(n.value as string) : null;
}

function der(n: forge.asn1.Asn1): Buffer {
  return buf(asn1.toDer(n).getBytes());
}

/**
 * Verify a TimeStampResp (or a bare TimeStampToken ContentInfo) against the
 * SHA-256 digest it should cover. `nonce`: the request's, when known.
 * `trustedCertPem`: the TSA certificate (or its issuer) to trust.
 */
export function verifyTimeStamp(response: Uint8Array, expectedDigest: Uint8Array, options: { nonce?: Uint8Array; trustedCertPem?: string } = {}): TimeStampVerification {
  const out: TimeStampVerification = { ok: false, reason: null, status: null, genTime: null, serialNumber: null, policy: null, tsa: null, hashAlgorithm: null, imprint: null, nonce: null };
  const fail = (reason: string): TimeStampVerification => ({ ...out, ok: false, reason });
  let root: forge.asn1.Asn1;
  try {
    root = fromDer(bin(response), { decodeBitStrings: false, strict: true });
  } catch (err) {
    return fail(`not DER: ${(err as Error).message}`);
  }
  try {
    let token: forge.asn1.Asn1 | undefined = root;
    const top = children(root);
    if (top[0] && top[0].tagClass === U && top[0].type === T.SEQUENCE) {
      // TimeStampResp { PKIStatusInfo, token }
      const statusNode = children(top[0])[0];
      out.status = statusNode ? asn1.derToInteger(statusNode.value as string) : null;
      if (out.status !== 0 && out.status !== 1) return fail(`the TSA did not grant the request (status ${out.status})`);
      token = top[1];
      if (!token) return fail('the response holds no time-stamp token');
    }
    const ci = children(token);
    if (oidOf(ci[0]) !== OID.signedData) return fail('the token is not CMS SignedData');
    const signedData = children(children(ci[1])[0]);
    // version, digestAlgorithms, encapContentInfo, [0] certificates?, [1] crls?, signerInfos
    const encap = signedData[2];
    if (oidOf(children(encap)[0]) !== OID.tstInfo) return fail('the token does not encapsulate a TSTInfo');
    const eContentOctets = children(children(encap)[1])[0];
    if (!eContentOctets) return fail('the token has no TSTInfo content');
    const tstBytes = eContentOctets.constructed ? Buffer.concat(children(eContentOctets).map((c) => buf(c.value as string))) : buf(eContentOctets.value as string);
    const tst = children(fromDer(bin(tstBytes), { decodeBitStrings: false }));
    out.policy = oidOf(tst[1]);
    const mi = children(tst[2]);
    const miAlg = oidOf(children(mi[0])[0]);
    out.hashAlgorithm = miAlg ? (HASH_BY_OID[miAlg] ?? miAlg) : null;
    const imprint = buf((mi[1]?.value as string) ?? '');
    out.imprint = imprint.toString('hex');
    out.serialNumber = buf((tst[3]?.value as string) ?? '').toString('hex');
    const genTimeNode = tst[4];
    if (genTimeNode?.type === T.GENERALIZEDTIME) out.genTime = asn1.generalizedTimeToDate(genTimeNode.value as string).toISOString();
    for (const n of tst.slice(5)) {
      if (n.tagClass === U && n.type === T.INTEGER) out.nonce = unsignedBytes(n.value as string).toString('hex');
      if (n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 0) out.tsa = describeGeneralName(n);
    }
    if (out.hashAlgorithm !== 'sha256') return fail(`the message imprint uses ${out.hashAlgorithm}, expected sha256`);
    if (!imprint.equals(Buffer.from(expectedDigest))) return fail(`the message imprint ${out.imprint} is not the manifest's SHA-256 ${Buffer.from(expectedDigest).toString('hex')}`);
    if (options.nonce && out.nonce !== unsignedBytes(bin(options.nonce)).toString('hex')) return fail('the nonce does not match the request');

    // Certificates and the signer.
    let certsNode: forge.asn1.Asn1 | undefined;
    let signerInfos: forge.asn1.Asn1 | undefined;
    for (const n of signedData.slice(3)) {
      if (n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 0) certsNode = n;
      else if (n.tagClass === U && n.type === T.SET) signerInfos = n;
    }
    const signer = children(signerInfos)[0];
    if (!signer) return fail('the token has no signer');
    const si = children(signer);
    // version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature
    const sid = si[1]!;
    const digestOid = oidOf(children(si[2])[0]);
    const hash = digestOid ? HASH_BY_OID[digestOid] : undefined;
    if (!hash) return fail(`unsupported signer digest algorithm ${digestOid}`);
    const attrsNode = si[3];
    if (!attrsNode || attrsNode.tagClass !== asn1.Class.CONTEXT_SPECIFIC || attrsNode.type !== 0) return fail('the signer has no signed attributes');
    const signature = buf((si[5]?.value as string) ?? '');
    const certs = children(certsNode).map((c) => new X509Certificate(der(c)));
    let cert: X509Certificate | undefined;
    if (sid.tagClass === U && sid.type === T.SEQUENCE) {
      const serial = buf(children(sid)[1]!.value as string).toString('hex').replace(/^(00)+/, '').toUpperCase();
      cert = certs.find((c) => c.serialNumber.replace(/^(00)+/, '').toUpperCase() === serial);
    } else cert = certs[0];
    if (!cert && options.trustedCertPem) cert = new X509Certificate(options.trustedCertPem);
    if (!cert) return fail('the token carries no signer certificate and none was given');
    out.tsa ??= cert.subject.replace(/\n/g, ', ');

    let messageDigest: Buffer | null = null;
    let contentType: string | null = null;
    let essHash: { alg: string; hash: Buffer } | null = null;
    for (const attr of children(attrsNode)) {
      const [typeNode, valuesNode] = children(attr);
      const type = oidOf(typeNode);
      const value = children(valuesNode)[0];
      if (type === OID.messageDigest && value) messageDigest = buf(value.value as string);
      if (type === OID.contentType) contentType = oidOf(value);
      if ((type === OID.signingCertificateV2 || type === OID.signingCertificate) && value) {
        const firstId = children(children(value)[0])[0];
        const idParts = children(firstId);
        if (type === OID.signingCertificate) essHash = { alg: 'sha1', hash: buf((idParts[0]?.value as string) ?? '') };
        else {
          const hasAlg = idParts[0]?.type === T.SEQUENCE;
          const algOid = hasAlg ? oidOf(children(idParts[0])[0]) : OID.sha256;
          essHash = { alg: (algOid && HASH_BY_OID[algOid]) ?? 'sha256', hash: buf(((hasAlg ? idParts[1] : idParts[0])?.value as string) ?? '') };
        }
      }
    }
    if (contentType !== OID.tstInfo) return fail('the signed content-type attribute is not id-ct-TSTInfo');
    if (!messageDigest || !messageDigest.equals(createHash(hash).update(tstBytes).digest())) return fail('the signed message-digest attribute does not match the TSTInfo');
    if (essHash && !essHash.hash.equals(createHash(essHash.alg).update(cert.raw).digest())) return fail('the ESS signing-certificate attribute names another certificate');
    const signedAttrsDer = der(asn1.create(U, T.SET, true, children(attrsNode)));
    if (!cryptoVerify(hash, signedAttrsDer, cert.publicKey, signature)) return fail('the signature does not verify with the TSA certificate');
    if (options.trustedCertPem) {
      const trusted = new X509Certificate(options.trustedCertPem);
      const same = trusted.fingerprint256 === cert.fingerprint256;
      if (!same && !(cert.checkIssued(trusted) && cert.verify(trusted.publicKey))) return fail('the TSA certificate is neither the trusted one nor issued by it');
    }
    return { ...out, ok: true, reason: null };
  } catch (err) {
    return fail(`malformed token: ${(err as Error).message}`);
  }
}

function describeGeneralName(n: forge.asn1.Asn1): string {
  try {
    const inner = children(n)[0];
    if (inner && inner.type === 4) {
      const name = children(inner)[0];
      if (name) {
        const attrs = children(name).flatMap((rdn) => children(rdn)).map((atv) => {
          const [t, v] = children(atv);
          const oid = oidOf(t) ?? '';
          const short = ({ '2.5.4.3': 'CN', '2.5.4.10': 'O', '2.5.4.6': 'C', '2.5.4.11': 'OU' } as Record<string, string>)[oid] ?? oid;
          return `${short}=${forge.util.decodeUtf8((v?.value as string) ?? '')}`;
        });
        return attrs.join(', ');
      }
    }
  } catch {
    /* fall through */
  }
  return 'unnamed TSA';
}

export interface TimeStampResult {
  response: Buffer;
  nonce: Buffer;
  verification: TimeStampVerification;
}

/** Ask a TSA for a token over `sha256Digest` (POST application/timestamp-query). Throws on transport failure. */
export async function requestTimeStamp(tsaUrl: string, sha256Digest: Uint8Array, options: { timeoutMs?: number; signal?: AbortSignal; trustedCertPem?: string; maxBytes?: number } = {}): Promise<TimeStampResult> {
  const url = new URL(tsaUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--tsa: expected an http(s) URL, got ${tsaUrl}`);
  const nonce = randomBytes(8);
  nonce[0] = nonce[0]! & 0x7f;
  const body = buildTimeStampReq(sha256Digest, nonce);
  const deadline = networkDeadline(options.timeoutMs ?? 15_000).signal;
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const res = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' }, signal });
  const max = options.maxBytes ?? 1 << 20;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res.body as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > max) {
      res.body.destroy();
      throw new Error(`the TSA answered more than ${max} bytes`);
    }
    chunks.push(c);
  }
  if (res.statusCode !== 200) throw new Error(`the TSA answered HTTP ${res.statusCode}`);
  const response = Buffer.concat(chunks);
  return { response, nonce, verification: verifyTimeStamp(response, sha256Digest, { nonce, ...(options.trustedCertPem ? { trustedCertPem: options.trustedCertPem } : {}) }) };
}
