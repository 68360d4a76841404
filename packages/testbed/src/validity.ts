/**
 * Variations on a leaf minted by WorldPki, re-issued with node-forge:
 * `cert.validDays` (another validity period, same issuer) and
 * `cert.untrustedIssuer` (issued by a CA that is not the world's).
 */
import { randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { sharedKey, type LeafMaterial, type RsaKey } from './pki.js';
import type { CertSpec } from './types.js';

const DAY = 24 * 3600 * 1000;

let foreign: Promise<{ cert: forge.pki.Certificate; pem: string; key: RsaKey }> | undefined;

/** A root CA outside every world (its own name, the shared intermediate key), once per process. */
function foreignRoot(): Promise<{ cert: forge.pki.Certificate; pem: string; key: RsaKey }> {
  foreign ??= sharedKey('intermediate').then((key) => {
    const cert = forge.pki.createCertificate();
    cert.publicKey = key.publicKey;
    cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
    cert.validity.notBefore = new Date(Date.now() - DAY);
    cert.validity.notAfter = new Date(Date.now() + 3650 * DAY);
    const subject = [
      { name: 'countryName', value: 'CN' },
      { name: 'organizationName', value: 'govscan testbed (untrusted)' },
      { name: 'commonName', value: 'govscan testbed untrusted root CA' },
    ];
    cert.setSubject(subject);
    cert.setIssuer(subject);
    cert.setExtensions([{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }, { name: 'subjectKeyIdentifier' }]);
    cert.sign(key.signer, forge.md.sha256.create());
    return { cert, pem: forge.pki.certificateToPem(cert), key };
  });
  return foreign;
}

export async function withValidity(material: LeafMaterial, spec: CertSpec, ownKey: RsaKey | undefined, intermediatePem: string): Promise<LeafMaterial> {
  const days = spec.validDays;
  const untrusted = Boolean(spec.untrustedIssuer && !spec.selfSigned);
  if ((days === undefined || spec.expired || spec.notYetValid) && !untrusted) return material;
  const cert = forge.pki.certificateFromPem(material.leafPem);
  const now = Date.now();
  if (days !== undefined && !spec.expired && !spec.notYetValid) {
    cert.validity.notBefore = new Date(now - DAY);
    cert.validity.notAfter = new Date(now - DAY + days * DAY);
  }
  const hash0 = spec.signatureHash ?? 'sha256';
  const md0 = (): forge.md.MessageDigest => (hash0 === 'md5' ? forge.md.md5.create() : hash0 === 'sha1' ? forge.md.sha1.create() : forge.md.sha256.create());
  if (untrusted) {
    const root = await foreignRoot();
    cert.setIssuer(root.cert.subject.attributes);
    cert.setExtensions(cert.extensions.filter((e: { name?: string }) => e.name !== 'authorityKeyIdentifier'));
    cert.sign(root.key.signer, md0());
    const leafPem = forge.pki.certificateToPem(cert);
    return { ...material, leafPem, certChainPem: leafPem + root.pem };
  }
  const viaIntermediate = Boolean(spec.viaIntermediate || spec.omitIntermediate);
  const issuerKey = spec.selfSigned ? (ownKey ?? (await sharedKey('leaf'))) : await sharedKey(viaIntermediate ? 'intermediate' : 'root');
  const hash = spec.signatureHash ?? 'sha256';
  const md = hash === 'md5' ? forge.md.md5.create() : hash === 'sha1' ? forge.md.sha1.create() : forge.md.sha256.create();
  cert.sign(issuerKey.signer, md);
  const leafPem = forge.pki.certificateToPem(cert);
  const sendIntermediate = viaIntermediate && !spec.selfSigned && !spec.omitIntermediate;
  return { ...material, leafPem, certChainPem: sendIntermediate ? leafPem + intermediatePem : leafPem };
}
