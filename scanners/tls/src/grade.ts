/**
 * A grade per endpoint after the SSL Labs SSL Server Rating Guide (2009 series,
 * up to 2009q of January 2020): a numerical score from protocol support (30 %),
 * key exchange (30 %) and cipher strength (40 %), turned into A–F, then capped
 * by rules for features the score cannot express; T for trust problems and M
 * for a name mismatch. See the README for the table of caps.
 *
 * The grade is a fact with the cap that decided it; rules decide what to report.
 */
import type { CipherSuite } from './suites.js';
import type { Protocol } from './wire.js';

export const GRADES = ['A+', 'A', 'A-', 'B', 'C', 'D', 'E', 'F'] as const;
export type Letter = (typeof GRADES)[number];

export interface GradeInput {
  /** Accepted protocols (TLCP is not graded). */
  protocols: Protocol[];
  /** Accepted suites of the graded protocols. */
  suites: CipherSuite[];
  /** Accepted suites per protocol (3DES with TLS 1.1+). */
  suitesByProtocol: Partial<Record<Protocol, CipherSuite[]>>;
  keyType: string | null;
  keyBits: number | null;
  cert: {
    trusted: boolean;
    selfSigned: boolean;
    expired: boolean;
    notYetValid: boolean;
    hostnameMatch: boolean;
    chainComplete: boolean;
    signatureHash: string | null;
  };
  /** HSTS max-age seconds from the HTTPS response (null: none or not observed). */
  hstsMaxAge: number | null;
}

export interface Cap {
  max: Letter | 'T' | 'M';
  reason: string;
}

export interface GradeResult {
  grade: Letter | 'T' | 'M';
  score: number;
  protocolScore: number;
  keyExchangeScore: number;
  cipherScore: number;
  /** Every cap that applied. */
  caps: Cap[];
  /** What decided the grade: the lowest cap, or the score. */
  decidedBy: string;
  /** With trust and name problems set aside (as SSL Labs shows under T and M). */
  gradeIfTrusted: Letter;
}

const PROTOCOL_SCORE: Record<Protocol, number> = { SSLv3: 80, 'TLSv1.0': 90, 'TLSv1.1': 95, 'TLSv1.2': 100, 'TLSv1.3': 100, TLCP: 100 };

/** RSA-equivalent strength of a public key. */
function rsaEquivalent(type: string | null, bits: number | null): number | null {
  if (bits === null) return null;
  if (type === 'EC' || type === 'SM2' || type === 'Ed25519' || type === 'Ed448') return bits >= 512 ? 15360 : bits >= 384 ? 7680 : bits >= 256 ? 3072 : bits >= 224 ? 2048 : 1024;
  return bits;
}

function keyScore(bits: number): number {
  if (bits < 512) return 20;
  if (bits < 1024) return 40;
  if (bits < 2048) return 80;
  if (bits < 4096) return 90;
  return 100;
}

function cipherScore(s: CipherSuite): number {
  if (s.bits === 0) return 0;
  if (s.bits < 128) return 20;
  if (s.bits < 256) return 80;
  return 100;
}

function letter(score: number): Letter {
  if (score >= 80) return 'A';
  if (score >= 65) return 'B';
  if (score >= 50) return 'C';
  if (score >= 35) return 'D';
  if (score >= 20) return 'E';
  return 'F';
}

const rankOf = (l: Letter): number => GRADES.indexOf(l);

export function grade(i: GradeInput): GradeResult | null {
  const protocols = i.protocols.filter((p) => p !== 'TLCP');
  const suites = i.suites.filter((s) => s.family !== 'tlcp');
  if (protocols.length === 0 || suites.length === 0) return null;

  const pScores = protocols.map((p) => PROTOCOL_SCORE[p]);
  const protocolScore = (Math.max(...pScores) + Math.min(...pScores)) / 2;

  const certEq = rsaEquivalent(i.keyType, i.keyBits) ?? 2048;
  const kxScores = suites.map((s) => {
    if (s.flags.anon || s.flags.null && s.kx === 'NULL') return 0;
    if (s.flags.export) return 40;
    // Ephemeral ECDH on the usual curves is ~3072-bit RSA strength; DH parameters are not read (see README).
    const kxEq = s.kx === 'ECDHE' || s.kx === 'any' ? 3072 : certEq;
    return keyScore(Math.min(certEq, kxEq));
  });
  const keyExchangeScore = Math.min(...kxScores);

  const cScores = suites.map(cipherScore);
  const cipherScoreValue = (Math.max(...cScores) + Math.min(...cScores)) / 2;

  const zero = protocolScore === 0 || keyExchangeScore === 0 || cipherScoreValue === 0;
  const score = zero ? 0 : Math.round(0.3 * protocolScore + 0.3 * keyExchangeScore + 0.4 * cipherScoreValue);
  const base = letter(score);

  const caps: Cap[] = [];
  const has = (pred: (s: CipherSuite) => boolean): boolean => suites.some(pred);
  if (has((s) => s.flags.export)) caps.push({ max: 'F', reason: 'export suites (FREAK/Logjam)' });
  if (has((s) => s.flags.anon)) caps.push({ max: 'F', reason: 'anonymous (unauthenticated) suites' });
  if (has((s) => s.flags.null)) caps.push({ max: 'F', reason: 'NULL (unencrypted) suites' });
  if (i.keyType === 'RSA' && i.keyBits !== null && i.keyBits < 1024) caps.push({ max: 'F', reason: `RSA key of ${i.keyBits} bits (< 1024)` });
  if (i.cert.signatureHash === 'MD5' || i.cert.signatureHash === 'MD2') caps.push({ max: 'F', reason: `${i.cert.signatureHash} certificate signature` });
  if (protocols.includes('SSLv3')) caps.push({ max: 'C', reason: 'SSLv3 accepted (POODLE)' });
  if (has((s) => s.flags.rc4)) caps.push({ max: 'C', reason: 'RC4 suites' });
  if (!protocols.includes('TLSv1.2') && !protocols.includes('TLSv1.3')) caps.push({ max: 'C', reason: 'no TLS 1.2 or 1.3' });
  const modern3des = (['TLSv1.1', 'TLSv1.2'] as const).some((p) => (i.suitesByProtocol[p] ?? []).some((s) => s.flags.tripleDes));
  if (modern3des) caps.push({ max: 'C', reason: '3DES with TLS 1.1 or later (Sweet32)' });
  if (protocols.includes('TLSv1.0') || protocols.includes('TLSv1.1')) caps.push({ max: 'B', reason: 'TLS 1.0 or 1.1 accepted' });
  if (!has((s) => s.flags.fs)) caps.push({ max: 'B', reason: 'no forward secrecy' });
  if (i.keyType === 'RSA' && i.keyBits !== null && i.keyBits >= 1024 && i.keyBits < 2048) caps.push({ max: 'B', reason: `RSA key of ${i.keyBits} bits (< 2048)` });
  if (!i.cert.chainComplete) caps.push({ max: 'B', reason: 'incomplete certificate chain' });
  if (!has((s) => s.flags.aead)) caps.push({ max: 'A-', reason: 'no AEAD suite' });

  let capped = base;
  let decidedBy = `score ${score} (protocol ${protocolScore}, key exchange ${keyExchangeScore}, cipher ${cipherScoreValue})`;
  for (const c of caps) {
    if (c.max === 'T' || c.max === 'M') continue;
    if (rankOf(c.max) > rankOf(capped)) {
      capped = c.max;
      decidedBy = c.reason;
    }
  }
  if (capped === 'A' && i.hstsMaxAge !== null && i.hstsMaxAge >= 15_768_000) {
    capped = 'A+';
    decidedBy = `HSTS max-age ${i.hstsMaxAge} (≥ 6 months) and no warnings`;
  }
  const gradeIfTrusted = capped;

  const trustReasons: string[] = [];
  if (i.cert.selfSigned) trustReasons.push('self-signed certificate');
  else if (!i.cert.trusted && i.cert.chainComplete) trustReasons.push('certificate not trusted');
  if (!i.cert.chainComplete && !i.cert.trusted) trustReasons.push('no trust path (issuer not sent)');
  if (i.cert.expired) trustReasons.push('certificate expired');
  if (i.cert.notYetValid) trustReasons.push('certificate not yet valid');
  if (i.cert.signatureHash === 'SHA1') trustReasons.push('SHA-1 certificate signature');
  for (const r of trustReasons) caps.push({ max: 'T', reason: r });
  if (!i.cert.hostnameMatch) caps.push({ max: 'M', reason: 'certificate name mismatch' });

  let final: Letter | 'T' | 'M' = capped;
  if (capped !== 'F') {
    if (!i.cert.hostnameMatch) {
      final = 'M';
      decidedBy = 'certificate name mismatch';
    } else if (trustReasons.length > 0) {
      final = 'T';
      decidedBy = trustReasons.join('; ');
    }
  }
  return { grade: final, score, protocolScore, keyExchangeScore, cipherScore: cipherScoreValue, caps, decidedBy, gradeIfTrusted };
}

