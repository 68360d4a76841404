/**
 * In-process PKI for the simulated world, built on node-forge.
 *
 * - Certificates are assembled with forge.pki (X.509 structure, extensions,
 *   md5/sha1/sha256 signature algorithms).
 * - Keys come from forge.pki.rsa.generateKeyPair in callback form, which in
 *   Node delegates to the native (threadpool) crypto.generateKeyPair, so the
 *   keys of one world are generated in parallel.
 * - Signing goes through a tiny native signer (PKCS#1 v1.5 over the DigestInfo
 *   forge computed, via crypto.privateEncrypt): forge's pure-JS RSA takes ~30 ms
 *   per 2048-bit signature, which for 45 hosts would blow the start-up budget;
 *   the native signer takes ~1 ms and produces the same bytes.
 * - The root CA key, the intermediate CA key and the shared leaf key are
 *   generated once per process and reused by every world (each world still
 *   mints its own root/intermediate certificates with a random name). Hosts
 *   with cert.keyBits get a key of their own.
 */
import { createPrivateKey, constants as cryptoConstants, privateEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import type { CertSpec } from './types.js';

const { pki, asn1 } = forge;

export interface RsaKey {
  bits: number;
  publicKey: forge.pki.rsa.PublicKey;
  privateKeyPem: string;
  /** Drop-in for forge's private key in cert.sign(): signs natively. */
  signer: forge.pki.rsa.PrivateKey;
}

function nativeSigner(keyObject: KeyObject): forge.pki.rsa.PrivateKey {
  const signer = {
    sign(md: forge.md.MessageDigest): string {
      const oid = pki.oids[md.algorithm];
      if (!oid) throw new Error(`testbed: no OID for digest ${md.algorithm}`);
      const digestInfo = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
          asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
          asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
        ]),
        asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, md.digest().getBytes()),
      ]);
      const der = Buffer.from(asn1.toDer(digestInfo).getBytes(), 'binary');
      return privateEncrypt({ key: keyObject, padding: cryptoConstants.RSA_PKCS1_PADDING }, der).toString('binary');
    },
  };
  return signer as unknown as forge.pki.rsa.PrivateKey;
}

/** Generates an RSA key with forge (native, asynchronous under Node). */
export function generateRsaKey(bits: number): Promise<RsaKey> {
  return new Promise((resolve, reject) => {
    pki.rsa.generateKeyPair({ bits, e: 0x10001 }, (err, keypair) => {
      if (err) {
        reject(err);
        return;
      }
      try {
        const privateKeyPem = pki.privateKeyToPem(keypair.privateKey);
        resolve({ bits, publicKey: keypair.publicKey, privateKeyPem, signer: nativeSigner(createPrivateKey(privateKeyPem)) });
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

const sharedKeys = new Map<'root' | 'intermediate' | 'leaf', Promise<RsaKey>>();

/** One 2048-bit key per role per process. */
export function sharedKey(role: 'root' | 'intermediate' | 'leaf'): Promise<RsaKey> {
  let p = sharedKeys.get(role);
  if (!p) {
    p = generateRsaKey(2048);
    p.catch(() => sharedKeys.delete(role));
    sharedKeys.set(role, p);
  }
  return p;
}

function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = ((b[0] ?? 0) % 0x7f) + 1; // positive, no leading zero byte
  return b.toString('hex');
}

const DAY = 24 * 3600 * 1000;

type Hash = 'sha256' | 'sha1' | 'md5';

function digest(hash: Hash): forge.md.MessageDigest {
  switch (hash) {
    case 'md5':
      return forge.md.md5.create();
    case 'sha1':
      return forge.md.sha1.create();
    default:
      return forge.md.sha256.create();
  }
}

interface Issuer {
  cert: forge.pki.Certificate;
  key: RsaKey;
}

interface IssueParams {
  subject: forge.pki.CertificateField[];
  key: RsaKey;
  /** undefined: self-signed with `key`. */
  issuer: Issuer | undefined;
  ca: boolean;
  pathLen?: number;
  dnsNames?: string[];
  ips?: string[];
  notBefore: Date;
  notAfter: Date;
  hash: Hash;
}

function issue(p: IssueParams): forge.pki.Certificate {
  const cert = pki.createCertificate();
  cert.publicKey = p.key.publicKey;
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = p.notBefore;
  cert.validity.notAfter = p.notAfter;
  cert.setSubject(p.subject);
  cert.setIssuer(p.issuer ? p.issuer.cert.subject.attributes : p.subject);
  const extensions: object[] = [];
  if (p.ca) {
    extensions.push(
      p.pathLen === undefined
        ? { name: 'basicConstraints', cA: true, critical: true }
        : { name: 'basicConstraints', cA: true, pathLenConstraint: p.pathLen, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    );
  } else {
    extensions.push(
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
    );
    const altNames = [
      ...(p.dnsNames ?? []).map((value) => ({ type: 2, value })),
      ...(p.ips ?? []).map((ip) => ({ type: 7, ip })),
    ];
    if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  }
  // forge derives the SKI from the certificate's own key (SHA-1 of RSAPublicKey).
  extensions.push({ name: 'subjectKeyIdentifier' });
  if (p.issuer) {
    extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: p.issuer.cert.generateSubjectKeyIdentifier().getBytes() });
  }
  cert.setExtensions(extensions);
  cert.sign(p.issuer ? p.issuer.key.signer : p.key.signer, digest(p.hash));
  return cert;
}

/** A CA of the world (C=CN, O=govscan testbed), SHA-256, valid from a day before `now` for `days` days. */
function issueCa(p: {
  commonName: string;
  key: RsaKey;
  /** undefined: a self-signed root. */
  issuer: Issuer | undefined;
  pathLen?: number;
  now: number;
  days: number;
}): Issuer {
  const cert = issue({
    subject: [
      { name: 'countryName', value: 'CN' },
      { name: 'organizationName', value: 'govscan testbed' },
      { name: 'commonName', value: p.commonName },
    ],
    key: p.key,
    issuer: p.issuer,
    ca: true,
    pathLen: p.pathLen,
    notBefore: new Date(p.now - DAY),
    notAfter: new Date(p.now + p.days * DAY),
    hash: 'sha256',
  });
  return { cert, key: p.key };
}

export interface LeafMaterial {
  keyPem: string;
  /** Leaf certificate PEM followed by the chain the server sends. */
  certChainPem: string;
  leafPem: string;
  /** Needs OpenSSL security level 0 to be loaded (weak key or weak signature hash). */
  weak: boolean;
}

/** The world's CAs plus a factory for leaf certificates. */
export class WorldPki {
  readonly caPem: string;
  readonly intermediatePem: string;
  private readonly root: Issuer;
  private readonly intermediate: Issuer;
  private readonly leafKey: RsaKey;

  private constructor(root: Issuer, intermediate: Issuer, leafKey: RsaKey) {
    this.root = root;
    this.intermediate = intermediate;
    this.leafKey = leafKey;
    this.caPem = pki.certificateToPem(root.cert);
    this.intermediatePem = pki.certificateToPem(intermediate.cert);
  }

  static async create(): Promise<WorldPki> {
    const [rootKey, intermediateKey, leafKey] = await Promise.all([
      sharedKey('root'),
      sharedKey('intermediate'),
      sharedKey('leaf'),
    ]);
    const id = randomBytes(4).toString('hex');
    const now = Date.now();
    const root = issueCa({ commonName: `govscan testbed root CA ${id}`, key: rootKey, issuer: undefined, now, days: 3650 });
    const intermediate = issueCa({
      commonName: `govscan testbed intermediate CA ${id}`,
      key: intermediateKey,
      issuer: root,
      pathLen: 0,
      now,
      days: 1825,
    });
    return new WorldPki(root, intermediate, leafKey);
  }

  /**
   * A leaf certificate for `names` (the first is the CN) shaped by `spec`.
   * `ownKey` must be given when spec.keyBits is set.
   */
  leaf(names: string[], spec: CertSpec = {}, ownKey?: RsaKey, ips: string[] = []): LeafMaterial {
    const now = Date.now();
    let notBefore = new Date(now - DAY);
    let notAfter = new Date(now + 90 * DAY);
    if (spec.expired) {
      notBefore = new Date(now - 455 * DAY);
      notAfter = new Date(now - 30 * DAY);
    }
    if (spec.notYetValid) {
      notBefore = new Date(now + 30 * DAY);
      notAfter = new Date(now + 455 * DAY);
    }
    const dnsNames = spec.wrongHost ? [spec.wrongHost] : names;
    const key = spec.keyBits ? ownKey : this.leafKey;
    if (!key) throw new Error('testbed: cert.keyBits set but no key generated');
    const viaIntermediate = Boolean(spec.viaIntermediate || spec.omitIntermediate);
    const issuer = spec.selfSigned ? undefined : viaIntermediate ? this.intermediate : this.root;
    const hash = spec.signatureHash ?? 'sha256';
    const cert = issue({
      subject: [{ name: 'commonName', value: dnsNames[0] ?? 'localhost' }],
      key,
      issuer,
      ca: false,
      dnsNames,
      ips,
      notBefore,
      notAfter,
      hash,
    });
    const leafPem = pki.certificateToPem(cert);
    const sendIntermediate = viaIntermediate && !spec.selfSigned && !spec.omitIntermediate;
    return {
      keyPem: key.privateKeyPem,
      leafPem,
      certChainPem: sendIntermediate ? leafPem + this.intermediatePem : leafPem,
      weak: hash !== 'sha256' || key.bits < 2048,
    };
  }
}
