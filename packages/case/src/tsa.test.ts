import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTsa, type Tsa } from '@govscan/testbed';
import { buildTimeStampReq, parseTimeStampReq, requestTimeStamp, verifyTimeStamp } from './tsa.js';

const digest = createHash('sha256').update('manifest').digest();

describe('RFC 3161 client against a TSA on loopback', () => {
  let good: Tsa;
  let badSig: Tsa;
  let wrongImprint: Tsa;
  let rejecting: Tsa;
  beforeAll(async () => {
    [good, badSig, wrongImprint, rejecting] = await Promise.all([startTsa(), startTsa({ badSignature: true }), startTsa({ wrongImprint: true }), startTsa({ status: 2 })]);
  });
  afterAll(async () => {
    await Promise.all([good, badSig, wrongImprint, rejecting].map((t) => t?.stop()));
  });

  it('builds a DER TimeStampReq with the digest, a nonce and certReq', () => {
    const req = parseTimeStampReq(buildTimeStampReq(digest, Buffer.from([0x01, 0x02, 0x03])));
    expect(req).toMatchObject({ hashAlgorithm: 'sha256', certReq: true });
    expect(req.digest.equals(digest)).toBe(true);
    expect(req.nonce?.toString('hex')).toBe('010203');
  });

  it('gets a token whose imprint, nonce, message digest and signature verify', async () => {
    const r = await requestTimeStamp(good.url, digest, { trustedCertPem: good.certPem, timeoutMs: 5000 });
    expect(r.verification).toMatchObject({ ok: true, status: 0, hashAlgorithm: 'sha256', imprint: digest.toString('hex') });
    expect(r.verification.genTime).toMatch(/Z$/);
    expect(good.requests).toBe(1);
    // The same token over another digest fails on the imprint.
    expect(verifyTimeStamp(r.response, createHash('sha256').update('other').digest()).reason).toContain('message imprint');
    // Another TSA's certificate is not trusted.
    expect(verifyTimeStamp(r.response, digest, { trustedCertPem: badSig.certPem }).reason).toContain('neither the trusted one');
  });

  it('refuses a bad signature, a wrong imprint and a rejection', async () => {
    expect((await requestTimeStamp(badSig.url, digest, { timeoutMs: 5000 })).verification.reason).toContain('signature does not verify');
    expect((await requestTimeStamp(wrongImprint.url, digest, { timeoutMs: 5000 })).verification.reason).toContain('message imprint');
    expect((await requestTimeStamp(rejecting.url, digest, { timeoutMs: 5000 })).verification.reason).toContain('did not grant');
  });

  it('reports garbage as not DER', () => {
    expect(verifyTimeStamp(Buffer.from('not a token'), digest).ok).toBe(false);
  });
});
