/**
 * A time-stamping authority (RFC 3161) on loopback, for tests: an HTTP server
 * that reads a DER TimeStampReq (POST application/timestamp-query) and
 * answers a TimeStampResp whose token is CMS SignedData over a TSTInfo,
 * signed by a self-signed TSA certificate (extendedKeyUsage timeStamping,
 * critical) with the signed attributes contentType, signingTime,
 * messageDigest and ESS signingCertificateV2 — what `openssl ts -verify`
 * expects. Knobs make it misbehave for negative tests.
 */
import { createHash, createPrivateKey, randomBytes, sign as cryptoSign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';
import { whenListening } from './listening.js';
import { generateRsaKey, type RsaKey } from './pki.js';

const { asn1, pki } = forge;
const U = asn1.Class.UNIVERSAL;
const C = asn1.Class.CONTEXT_SPECIFIC;
const T = asn1.Type;
/** forge's typings know only the boolean form; the options object is what keeps BIT STRINGs as read. */
const fromDer = asn1.fromDer as unknown as (bytes: string, options: { decodeBitStrings?: boolean; strict?: boolean }) => forge.asn1.Asn1;

const OIDS = {
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  policy: '1.3.6.1.4.1.55555.1.1',
};

export interface TsaOptions {
  /** Flip a bit of every signature. */
  badSignature?: boolean;
  /** Time-stamp a different digest than the one asked for. */
  wrongImprint?: boolean;
  /** Answer this PKIStatus (2 = rejection) without a token. */
  status?: number;
  /** The genTime to put in tokens (default: now). */
  now?: () => Date;
}

export interface Tsa {
  /** http://127.0.0.1:PORT/tsr */
  url: string;
  /** PEM of the TSA's (self-signed) certificate. */
  certPem: string;
  /** Requests answered. */
  requests: number;
  stop(): Promise<void>;
}

const bin = (b: Uint8Array): string => Buffer.from(b).toString('binary');
const node = (tag: number, value: forge.asn1.Asn1[] | string, constructed = Array.isArray(value)): forge.asn1.Asn1 => asn1.create(U, tag, constructed, value);
const oid = (o: string): forge.asn1.Asn1 => node(T.OID, asn1.oidToDer(o).getBytes());
const int = (n: number): forge.asn1.Asn1 => node(T.INTEGER, asn1.integerToDer(n).getBytes());
const octets = (b: Uint8Array): forge.asn1.Asn1 => node(T.OCTETSTRING, bin(b));
const algId = (o: string): forge.asn1.Asn1 => node(T.SEQUENCE, [oid(o), node(T.NULL, '')]);
const derOf = (n: forge.asn1.Asn1): Buffer => Buffer.from(asn1.toDer(n).getBytes(), 'binary');

function positiveInt(bytes: Uint8Array): forge.asn1.Asn1 {
  let b = Buffer.from(bytes);
  if ((b[0]! & 0x80) !== 0) b = Buffer.concat([Buffer.from([0]), b]);
  return node(T.INTEGER, bin(b));
}

interface ParsedRequest {
  hashOid: string;
  hashAlg: forge.asn1.Asn1;
  digest: Buffer;
  nonce: forge.asn1.Asn1 | null;
  certReq: boolean;
}

function parseRequest(der: Buffer): ParsedRequest {
  const root = fromDer(bin(der), { decodeBitStrings: false });
  const v = root.value as forge.asn1.Asn1[];
  const imprint = v[1]!.value as forge.asn1.Asn1[];
  const hashAlg = imprint[0]!;
  const hashOid = asn1.derToOid((hashAlg.value as forge.asn1.Asn1[])[0]!.value as string);
  let nonce: forge.asn1.Asn1 | null = null;
  let certReq = false;
  for (const n of v.slice(2)) {
    if (n.tagClass === U && n.type === T.INTEGER) nonce = n;
    if (n.tagClass === U && n.type === T.BOOLEAN) certReq = (n.value as string) !== '\x00';
  }
  return { hashOid, hashAlg, digest: Buffer.from(imprint[1]!.value as string, 'binary'), nonce, certReq };
}

async function tsaCertificate(key: RsaKey): Promise<{ cert: forge.pki.Certificate; der: Buffer; pem: string }> {
  const cert = pki.createCertificate();
  cert.publicKey = key.publicKey;
  const serial = randomBytes(12);
  serial[0] = (serial[0]! % 0x7f) + 1;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const subject = [{ shortName: 'C', value: 'CN' }, { shortName: 'O', value: 'govscan testbed' }, { shortName: 'CN', value: 'govscan testbed TSA' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'extKeyUsage', timeStamping: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key.signer, forge.md.sha256.create());
  const der = Buffer.from(asn1.toDer(pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return { cert, der, pem: pki.certificateToPem(cert) };
}

function buildResponse(req: ParsedRequest, material: { cert: forge.pki.Certificate; der: Buffer; keyPem: string }, options: TsaOptions, serial: number): Buffer {
  if (options.status !== undefined && options.status !== 0 && options.status !== 1) {
    return derOf(node(T.SEQUENCE, [node(T.SEQUENCE, [int(options.status)])]));
  }
  const digest = options.wrongImprint ? createHash('sha256').update(req.digest).digest() : req.digest;
  const genTime = (options.now ?? (() => new Date()))();
  const tstFields: forge.asn1.Asn1[] = [
    int(1),
    oid(OIDS.policy),
    node(T.SEQUENCE, [req.hashAlg, octets(digest)]),
    int(serial),
    node(T.GENERALIZEDTIME, asn1.dateToGeneralizedTime(genTime)),
  ];
  if (req.nonce) tstFields.push(req.nonce);
  const tstInfo = derOf(node(T.SEQUENCE, tstFields));
  const certHash = createHash('sha256').update(material.der).digest();
  const issuerAndSerial = node(T.SEQUENCE, [pki.distinguishedNameToAsn1(material.cert.issuer), positiveInt(Buffer.from(material.cert.serialNumber, 'hex'))]);
  const attrs = [
    node(T.SEQUENCE, [oid(OIDS.contentType), node(T.SET, [oid(OIDS.tstInfo)])]),
    node(T.SEQUENCE, [oid(OIDS.signingTime), node(T.SET, [node(T.UTCTIME, asn1.dateToUtcTime(genTime))])]),
    node(T.SEQUENCE, [oid(OIDS.messageDigest), node(T.SET, [octets(createHash('sha256').update(tstInfo).digest())])]),
    // SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 { certHash (sha256, the default algorithm), issuerSerial { GeneralNames [4] Name, serial } } }
    node(T.SEQUENCE, [
      oid(OIDS.signingCertificateV2),
      node(T.SET, [
        node(T.SEQUENCE, [
          node(T.SEQUENCE, [
            node(T.SEQUENCE, [
              octets(certHash),
              node(T.SEQUENCE, [node(T.SEQUENCE, [asn1.create(C, 4, true, [pki.distinguishedNameToAsn1(material.cert.issuer)])]), positiveInt(Buffer.from(material.cert.serialNumber, 'hex'))]),
            ]),
          ]),
        ]),
      ]),
    ]),
  ];
  // DER SET OF: elements sorted by their encodings.
  attrs.sort((a, b) => Buffer.compare(derOf(a), derOf(b)));
  const signedAttrsSet = derOf(node(T.SET, attrs));
  const signature = cryptoSign('sha256', signedAttrsSet, createPrivateKey(material.keyPem));
  if (options.badSignature) signature[signature.length - 1] = signature[signature.length - 1]! ^ 0x01;
  const signerInfo = node(T.SEQUENCE, [
    int(1),
    issuerAndSerial,
    algId(OIDS.sha256),
    asn1.create(C, 0, true, attrs),
    algId(OIDS.rsaEncryption),
    octets(signature),
  ]);
  const signedData = node(T.SEQUENCE, [
    int(3),
    node(T.SET, [algId(OIDS.sha256)]),
    node(T.SEQUENCE, [oid(OIDS.tstInfo), asn1.create(C, 0, true, [octets(tstInfo)])]),
    ...(req.certReq ? [asn1.create(C, 0, true, [pki.certificateToAsn1(material.cert)])] : []),
    node(T.SET, [signerInfo]),
  ]);
  const token = node(T.SEQUENCE, [oid(OIDS.signedData), asn1.create(C, 0, true, [signedData])]);
  return derOf(node(T.SEQUENCE, [node(T.SEQUENCE, [int(options.status ?? 0)]), token]));
}

/** Start a TSA on 127.0.0.1 (a random port). */
export async function startTsa(options: TsaOptions = {}): Promise<Tsa> {
  const key = await generateRsaKey(2048);
  const { cert, der, pem } = await tsaCertificate(key);
  let serial = 0;
  const tsa: Tsa = { url: '', certPem: pem, requests: 0, stop: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      if (req.method !== 'POST' || !String(req.headers['content-type'] ?? '').startsWith('application/timestamp-query')) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('expected POST application/timestamp-query\n');
        return;
      }
      let body: Buffer;
      try {
        const parsed = parseRequest(Buffer.concat(chunks));
        if (parsed.hashOid !== OIDS.sha256) throw new Error('only sha256');
        body = buildResponse(parsed, { cert, der, keyPem: key.privateKeyPem }, options, ++serial);
      } catch {
        body = derOf(node(T.SEQUENCE, [node(T.SEQUENCE, [int(2)])]));
      }
      tsa.requests++;
      res.writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': body.length });
      res.end(body);
    });
  });
  await whenListening(server, () => server.listen(0, '127.0.0.1'));
  const port = (server.address() as AddressInfo).port;
  tsa.url = `http://127.0.0.1:${port}/tsr`;
  tsa.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return tsa;
}
