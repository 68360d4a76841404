import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchWorld } from './test-utils.js';
import type { World } from './types.js';
import { startWorld } from './world.js';

function x509(raw: Buffer | undefined): X509Certificate {
  if (!raw) throw new Error('no certificate');
  return new X509Certificate(raw);
}

function signatureAlgorithm(raw: Buffer): string {
  const cert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(raw.toString('binary'))));
  return forge.pki.oids[cert.signatureOid] ?? cert.signatureOid;
}

describe('world TLS (node-forge PKI, SNI)', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({
      name: 'tls',
      hosts: [
        { name: 'www.yaan.gov.cn' },
        { name: 'www.other.gov.cn' },
        { name: '*.wild.example.cn' },
        { name: 'nohttps.example.cn', https: null },
        { name: 'expired.example.cn', cert: { expired: true } },
        { name: 'future.example.cn', cert: { notYetValid: true } },
        { name: 'self.example.cn', cert: { selfSigned: true } },
        { name: 'sha1.example.cn', cert: { signatureHash: 'sha1' } },
        { name: 'md5.example.cn', cert: { signatureHash: 'md5' } },
        { name: 'wrong.example.cn', cert: { wrongHost: 'www.somewhere-else.cn' } },
        { name: 'smallkey.example.cn', cert: { keyBits: 1024 } },
        { name: 'chain.example.cn', cert: { viaIntermediate: true } },
        { name: 'nochain.example.cn', cert: { omitIntermediate: true } },
      ],
    });
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('writes the CA to caFile', () => {
    expect(readFileSync(world.caFile, 'utf8')).toBe(world.caPem);
    const ca = new X509Certificate(world.caPem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain('govscan testbed root CA');
  });

  it('picks the certificate by SNI and it verifies against the world CA', async () => {
    for (const host of ['www.yaan.gov.cn', 'www.other.gov.cn']) {
      const res = await fetchWorld(world, { host, tls: true });
      expect(res.cert?.subjectaltname).toBe(`DNS:${host}`);
      expect(res.authorized).toBe(true);
      const leaf = x509(res.cert?.raw);
      expect(leaf.checkIssued(new X509Certificate(world.caPem))).toBe(true);
      expect(leaf.verify(new X509Certificate(world.caPem).publicKey)).toBe(true);
      expect(signatureAlgorithm(leaf.raw)).toBe('sha256WithRSAEncryption');
    }
  });

  it('serves wildcard certificates for wildcard hosts', async () => {
    const res = await fetchWorld(world, { host: 'a.wild.example.cn', tls: true });
    expect(res.cert?.subjectaltname).toBe('DNS:*.wild.example.cn');
    expect(res.authorized).toBe(true);
  });

  it('shares one leaf key between default certificates', async () => {
    const a = await fetchWorld(world, { host: 'www.yaan.gov.cn', tls: true });
    const b = await fetchWorld(world, { host: 'www.other.gov.cn', tls: true });
    expect(a.cert?.modulus).toBe(b.cert?.modulus);
    expect(a.cert?.bits).toBe(2048);
  });

  it('presents a default certificate for unknown SNI names', async () => {
    const res = await fetchWorld(world, { host: 'unknown.example.org', tls: true });
    expect(res.cert?.subjectaltname).toContain('DNS:localhost');
    expect(res.authorized).toBe(false);
    expect(res.status).toBe(421);
  });

  it('fails the handshake for https: null', async () => {
    await expect(fetchWorld(world, { host: 'nohttps.example.cn', tls: true })).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('expired: notAfter in the past', async () => {
    const res = await fetchWorld(world, { host: 'expired.example.cn', tls: true });
    expect(new Date(x509(res.cert?.raw).validTo).getTime()).toBeLessThan(Date.now());
    expect(res.authorizationError).toBe('CERT_HAS_EXPIRED');
  });

  it('notYetValid: notBefore in the future', async () => {
    const res = await fetchWorld(world, { host: 'future.example.cn', tls: true });
    expect(new Date(x509(res.cert?.raw).validFrom).getTime()).toBeGreaterThan(Date.now());
    expect(res.authorizationError).toBe('CERT_NOT_YET_VALID');
  });

  it('selfSigned: issuer is the subject', async () => {
    const res = await fetchWorld(world, { host: 'self.example.cn', tls: true });
    const leaf = x509(res.cert?.raw);
    expect(leaf.issuer).toBe(leaf.subject);
    expect(leaf.verify(leaf.publicKey)).toBe(true);
    expect(res.authorizationError).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('signatureHash sha1 and md5', async () => {
    const sha1 = await fetchWorld(world, { host: 'sha1.example.cn', tls: true });
    expect(signatureAlgorithm(x509(sha1.cert?.raw).raw)).toBe('sha1WithRSAEncryption');
    const md5 = await fetchWorld(world, { host: 'md5.example.cn', tls: true });
    expect(signatureAlgorithm(x509(md5.cert?.raw).raw)).toBe('md5WithRSAEncryption');
    expect(md5.authorized).toBe(false);
  });

  it('wrongHost: the SAN names another host', async () => {
    const res = await fetchWorld(world, { host: 'wrong.example.cn', tls: true });
    expect(res.cert?.subjectaltname).toBe('DNS:www.somewhere-else.cn');
    expect(x509(res.cert?.raw).checkHost('wrong.example.cn')).toBeUndefined();
  });

  it('keyBits: a key of its own of that size', async () => {
    const res = await fetchWorld(world, { host: 'smallkey.example.cn', tls: true });
    expect(res.cert?.bits).toBe(1024);
    expect(x509(res.cert?.raw).publicKey.asymmetricKeyDetails?.modulusLength).toBe(1024);
  });

  it('viaIntermediate: leaf issued by the intermediate, chain sent', async () => {
    const res = await fetchWorld(world, { host: 'chain.example.cn', tls: true });
    const leaf = x509(res.cert?.raw);
    const intermediate = new X509Certificate(world.intermediatePem);
    expect(leaf.checkIssued(intermediate)).toBe(true);
    expect(res.cert?.issuerCertificate?.subject.CN).toContain('intermediate CA');
    expect(res.authorized).toBe(true); // root alone suffices: the server sent the intermediate
  });

  it('omitIntermediate: the chain is incomplete', async () => {
    const res = await fetchWorld(world, { host: 'nochain.example.cn', tls: true });
    const leaf = x509(res.cert?.raw);
    expect(leaf.checkIssued(new X509Certificate(world.intermediatePem))).toBe(true);
    expect(res.authorized).toBe(false);
    expect(res.authorizationError).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    // with the intermediate supplied by the client it verifies
    const completed = await fetchWorld(world, { host: 'nochain.example.cn', tls: true, ca: [world.caPem, world.intermediatePem] });
    expect(completed.authorized).toBe(true);
  });

  it('removes caFile on stop', async () => {
    const w = await startWorld({ hosts: [{ name: 'a.example.cn' }] });
    expect(existsSync(w.caFile)).toBe(true);
    await w.stop();
    expect(existsSync(w.caFile)).toBe(false);
  });
});
