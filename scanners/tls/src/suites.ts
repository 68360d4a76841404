/**
 * The cipher suite table: code points from `suite-data.ts`, properties derived
 * from the systematic IANA names (TLS_<key exchange>_WITH_<cipher>_<mac>).
 */
import { IANA_SUITES, TLCP_SUITES } from './suite-data.js';

/** Which handshake a suite belongs to: TLS 1.3, SSLv3–TLS 1.2, or TLCP (0x0101). */
export type SuiteFamily = 'tls13' | 'tls' | 'tlcp';

export interface SuiteFlags {
  null: boolean;
  export: boolean;
  anon: boolean;
  rc4: boolean;
  des: boolean;
  tripleDes: boolean;
  cbc: boolean;
  aead: boolean;
  /** Forward secrecy: ephemeral (EC)DH key agreement. */
  fs: boolean;
  /** Pre-shared key, SRP or Kerberos: not used by public web servers. */
  psk: boolean;
  /** Chinese commercial cryptography (SM2/SM3/SM4/SM9). */
  sm: boolean;
}

export interface CipherSuite {
  code: number;
  /** `0xC02F` */
  hex: string;
  /** IANA name (TLCP suites: the GB/T 38636 name). */
  name: string;
  /** OpenSSL's name, where OpenSSL (1.0.2–3.x) names the suite. */
  openssl: string | null;
  family: SuiteFamily;
  /** Key exchange: RSA, DH, DHE, ECDH, ECDHE, PSK, DHE-PSK, RSA-PSK, ECDHE-PSK, SRP, KRB5, ECCPWD, GOST, SM2, SM2DHE, SM9, SM9DHE, any (TLS 1.3), NULL. */
  kx: string;
  /** Authentication: RSA, DSS, ECDSA, anon, PSK, SRP, KRB5, ECCPWD, GOST, SM2, SM9, any (TLS 1.3), NULL. */
  auth: string;
  /** Bulk cipher: AES-GCM, AES-CBC, CHACHA20-POLY1305, 3DES-CBC, RC4, … */
  cipher: string;
  /** Nominal key length of the bulk cipher (3DES: 168, NULL: 0). */
  bits: number;
  /** Effective security in bits (3DES: 112, export: 40, NULL: 0). */
  strength: number;
  /** MD5, SHA1, SHA256, SHA384, SM3, AEAD, … */
  mac: string;
  /** Usable only in TLS 1.2 (AEAD or SHA-2 MAC): not offered in SSLv3–TLS 1.1 hellos. */
  tls12Only: boolean;
  flags: SuiteFlags;
}

interface CipherInfo {
  cipher: string;
  bits: number;
  strength: number;
  cbc: boolean;
  aead: boolean;
  /** OpenSSL's spelling of the cipher part, e.g. AES128, DES-CBC3, RC4. */
  ossl: string;
}

/** Cipher part of a name (between WITH_ and the MAC), longest tokens first. */
const CIPHERS: [string, CipherInfo][] = [
  ['NULL', { cipher: 'NULL', bits: 0, strength: 0, cbc: false, aead: false, ossl: 'NULL' }],
  ['RC4_40', { cipher: 'RC4', bits: 40, strength: 40, cbc: false, aead: false, ossl: 'RC4' }],
  ['RC4_128', { cipher: 'RC4', bits: 128, strength: 128, cbc: false, aead: false, ossl: 'RC4' }],
  ['RC2_CBC_40', { cipher: 'RC2-CBC', bits: 40, strength: 40, cbc: true, aead: false, ossl: 'RC2-CBC' }],
  ['IDEA_CBC', { cipher: 'IDEA-CBC', bits: 128, strength: 128, cbc: true, aead: false, ossl: 'IDEA-CBC' }],
  ['DES40_CBC', { cipher: 'DES-CBC', bits: 40, strength: 40, cbc: true, aead: false, ossl: 'DES-CBC' }],
  ['DES_CBC_40', { cipher: 'DES-CBC', bits: 40, strength: 40, cbc: true, aead: false, ossl: 'DES-CBC' }],
  ['DES_CBC', { cipher: 'DES-CBC', bits: 56, strength: 56, cbc: true, aead: false, ossl: 'DES-CBC' }],
  ['3DES_EDE_CBC', { cipher: '3DES-CBC', bits: 168, strength: 112, cbc: true, aead: false, ossl: 'DES-CBC3' }],
  ['AES_128_CBC', { cipher: 'AES-CBC', bits: 128, strength: 128, cbc: true, aead: false, ossl: 'AES128' }],
  ['AES_256_CBC', { cipher: 'AES-CBC', bits: 256, strength: 256, cbc: true, aead: false, ossl: 'AES256' }],
  ['AES_128_GCM', { cipher: 'AES-GCM', bits: 128, strength: 128, cbc: false, aead: true, ossl: 'AES128-GCM' }],
  ['AES_256_GCM', { cipher: 'AES-GCM', bits: 256, strength: 256, cbc: false, aead: true, ossl: 'AES256-GCM' }],
  ['AES_128_CCM_8', { cipher: 'AES-CCM8', bits: 128, strength: 128, cbc: false, aead: true, ossl: 'AES128-CCM8' }],
  ['AES_256_CCM_8', { cipher: 'AES-CCM8', bits: 256, strength: 256, cbc: false, aead: true, ossl: 'AES256-CCM8' }],
  ['AES_128_CCM', { cipher: 'AES-CCM', bits: 128, strength: 128, cbc: false, aead: true, ossl: 'AES128-CCM' }],
  ['AES_256_CCM', { cipher: 'AES-CCM', bits: 256, strength: 256, cbc: false, aead: true, ossl: 'AES256-CCM' }],
  ['CAMELLIA_128_CBC', { cipher: 'CAMELLIA-CBC', bits: 128, strength: 128, cbc: true, aead: false, ossl: 'CAMELLIA128' }],
  ['CAMELLIA_256_CBC', { cipher: 'CAMELLIA-CBC', bits: 256, strength: 256, cbc: true, aead: false, ossl: 'CAMELLIA256' }],
  ['CAMELLIA_128_GCM', { cipher: 'CAMELLIA-GCM', bits: 128, strength: 128, cbc: false, aead: true, ossl: 'CAMELLIA128-GCM' }],
  ['CAMELLIA_256_GCM', { cipher: 'CAMELLIA-GCM', bits: 256, strength: 256, cbc: false, aead: true, ossl: 'CAMELLIA256-GCM' }],
  ['ARIA_128_CBC', { cipher: 'ARIA-CBC', bits: 128, strength: 128, cbc: true, aead: false, ossl: 'ARIA128' }],
  ['ARIA_256_CBC', { cipher: 'ARIA-CBC', bits: 256, strength: 256, cbc: true, aead: false, ossl: 'ARIA256' }],
  ['ARIA_128_GCM', { cipher: 'ARIA-GCM', bits: 128, strength: 128, cbc: false, aead: true, ossl: 'ARIA128-GCM' }],
  ['ARIA_256_GCM', { cipher: 'ARIA-GCM', bits: 256, strength: 256, cbc: false, aead: true, ossl: 'ARIA256-GCM' }],
  ['SEED_CBC', { cipher: 'SEED-CBC', bits: 128, strength: 128, cbc: true, aead: false, ossl: 'SEED' }],
  ['CHACHA20_POLY1305', { cipher: 'CHACHA20-POLY1305', bits: 256, strength: 256, cbc: false, aead: true, ossl: 'CHACHA20-POLY1305' }],
  ['KUZNYECHIK_CTR', { cipher: 'KUZNYECHIK-CTR', bits: 256, strength: 256, cbc: false, aead: false, ossl: '' }],
  ['MAGMA_CTR', { cipher: 'MAGMA-CTR', bits: 256, strength: 256, cbc: false, aead: false, ossl: '' }],
  ['KUZNYECHIK_MGM', { cipher: 'KUZNYECHIK-MGM', bits: 256, strength: 256, cbc: false, aead: true, ossl: '' }],
  ['MAGMA_MGM', { cipher: 'MAGMA-MGM', bits: 256, strength: 256, cbc: false, aead: true, ossl: '' }],
  ['28147_CNT', { cipher: 'GOST28147-CNT', bits: 256, strength: 256, cbc: false, aead: false, ossl: '' }],
  ['SM4_CBC', { cipher: 'SM4-CBC', bits: 128, strength: 128, cbc: true, aead: false, ossl: '' }],
  ['SM4_GCM', { cipher: 'SM4-GCM', bits: 128, strength: 128, cbc: false, aead: true, ossl: '' }],
  ['SM4_CCM', { cipher: 'SM4-CCM', bits: 128, strength: 128, cbc: false, aead: true, ossl: '' }],
  ['AEGIS_256', { cipher: 'AEGIS-256', bits: 256, strength: 256, cbc: false, aead: true, ossl: '' }],
  ['AEGIS_128L', { cipher: 'AEGIS-128L', bits: 128, strength: 128, cbc: false, aead: true, ossl: '' }],
];

/** Key exchange part (before _WITH_): [kx, auth, fs, anon, export, psk, OpenSSL prefix]. */
const KEY_EXCHANGES: Record<string, [kx: string, auth: string, fs: boolean, anon: boolean, exp: boolean, psk: boolean, ossl: string | null]> = {
  NULL: ['NULL', 'NULL', false, true, false, false, null],
  RSA: ['RSA', 'RSA', false, false, false, false, ''],
  RSA_EXPORT: ['RSA', 'RSA', false, false, true, false, 'EXP-'],
  DH_DSS: ['DH', 'DSS', false, false, false, false, 'DH-DSS-'],
  DH_DSS_EXPORT: ['DH', 'DSS', false, false, true, false, 'EXP-DH-DSS-'],
  DH_RSA: ['DH', 'RSA', false, false, false, false, 'DH-RSA-'],
  DH_RSA_EXPORT: ['DH', 'RSA', false, false, true, false, 'EXP-DH-RSA-'],
  DHE_DSS: ['DHE', 'DSS', true, false, false, false, 'DHE-DSS-'],
  DHE_DSS_EXPORT: ['DHE', 'DSS', true, false, true, false, 'EXP-EDH-DSS-'],
  DHE_RSA: ['DHE', 'RSA', true, false, false, false, 'DHE-RSA-'],
  DHE_RSA_EXPORT: ['DHE', 'RSA', true, false, true, false, 'EXP-EDH-RSA-'],
  DH_anon: ['DH', 'anon', false, true, false, false, 'ADH-'],
  DH_anon_EXPORT: ['DH', 'anon', false, true, true, false, 'EXP-ADH-'],
  KRB5: ['KRB5', 'KRB5', false, false, false, true, 'KRB5-'],
  KRB5_EXPORT: ['KRB5', 'KRB5', false, false, true, true, 'EXP-KRB5-'],
  PSK: ['PSK', 'PSK', false, false, false, true, 'PSK-'],
  DHE_PSK: ['DHE-PSK', 'PSK', true, false, false, true, 'DHE-PSK-'],
  PSK_DHE: ['DHE-PSK', 'PSK', true, false, false, true, 'DHE-PSK-'],
  RSA_PSK: ['RSA-PSK', 'RSA', false, false, false, true, 'RSA-PSK-'],
  ECDHE_PSK: ['ECDHE-PSK', 'PSK', true, false, false, true, 'ECDHE-PSK-'],
  ECDH_ECDSA: ['ECDH', 'ECDSA', false, false, false, false, 'ECDH-ECDSA-'],
  ECDHE_ECDSA: ['ECDHE', 'ECDSA', true, false, false, false, 'ECDHE-ECDSA-'],
  ECDH_RSA: ['ECDH', 'RSA', false, false, false, false, 'ECDH-RSA-'],
  ECDHE_RSA: ['ECDHE', 'RSA', true, false, false, false, 'ECDHE-RSA-'],
  ECDH_anon: ['ECDH', 'anon', false, true, false, false, 'AECDH-'],
  SRP_SHA: ['SRP', 'SRP', false, false, false, true, 'SRP-'],
  SRP_SHA_RSA: ['SRP', 'RSA', false, false, false, true, 'SRP-RSA-'],
  SRP_SHA_DSS: ['SRP', 'DSS', false, false, false, true, 'SRP-DSS-'],
  ECCPWD: ['ECCPWD', 'ECCPWD', true, false, false, true, null],
  GOSTR341112_256: ['GOST', 'GOST', true, false, false, false, null],
};

const TLCP_KX: Record<string, [kx: string, auth: string, fs: boolean]> = {
  ECDHE: ['SM2DHE', 'SM2', true],
  ECC: ['SM2', 'SM2', false],
  IBSDH: ['SM9DHE', 'SM9', true],
  IBC: ['SM9', 'SM9', false],
  RSA: ['RSA', 'RSA', false],
};

function hex(code: number): string {
  return `0x${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function flags(p: Partial<SuiteFlags>): SuiteFlags {
  return { null: false, export: false, anon: false, rc4: false, des: false, tripleDes: false, cbc: false, aead: false, fs: false, psk: false, sm: false, ...p };
}

function cipherOf(rest: string): { info: CipherInfo; mac: string } | null {
  for (const [token, info] of CIPHERS) {
    if (rest === token) return { info, mac: info.aead ? 'AEAD' : '' };
    if (rest.startsWith(`${token}_`)) {
      let mac = rest.slice(token.length + 1);
      if (info.aead && /^(SHA256|SHA384|SM3)$/.test(mac)) mac = `AEAD`;
      return { info, mac: mac === 'SHA' ? 'SHA1' : mac };
    }
  }
  return null;
}

/** OpenSSL's name for a TLS 1.0–1.2 suite, or null where OpenSSL has none. */
function opensslName(prefix: string | null, kxKey: string, rest: string, info: CipherInfo, mac: string, exp: boolean): string | null {
  if (prefix === null || info.ossl === '') return null;
  // OpenSSL implements ARIA only in GCM suites with ephemeral or RSA/PSK key exchange, and no Camellia-GCM.
  if (info.cipher === 'ARIA-CBC' || info.cipher === 'CAMELLIA-GCM') return null;
  if (info.cipher === 'ARIA-GCM' && /^(DH_|ECDH_)/.test(kxKey)) return null;
  if (info.cipher === 'ARIA-GCM' && kxKey === 'ECDHE_RSA') prefix = 'ECDHE-';
  const isSrp = kxKey.startsWith('SRP');
  const isPsk = /PSK/.test(kxKey);
  let cipher = info.ossl;
  if (isSrp) cipher = cipher.replace(/^AES(\d+)$/, 'AES-$1-CBC').replace('DES-CBC3', '3DES-EDE-CBC');
  else if (isPsk && /^AES\d+$/.test(cipher)) cipher = `${cipher}-CBC`;
  if (isPsk && cipher === 'DES-CBC3') cipher = '3DES-EDE-CBC';
  // Legacy spellings of the DHE suites with (3)DES.
  let pre = prefix;
  if (!exp && /^DHE-(RSA|DSS)-$/.test(prefix) && /^DES-CBC3?$/.test(cipher)) pre = prefix.replace('DHE-', 'EDH-');
  if (exp) {
    if (cipher === 'DES-CBC' && /SHA$/.test(rest)) return `${pre}DES-CBC-SHA`;
    if (cipher === 'RC4') return `${pre}RC4-MD5`.replace('-RC4-MD5', mac === 'SHA1' ? '-RC4-SHA' : '-RC4-MD5');
    if (cipher === 'RC2-CBC') return `${pre}RC2-CBC-${mac === 'SHA1' ? 'SHA' : 'MD5'}`;
  }
  let macPart: string;
  if (info.aead) {
    if (cipher === 'CHACHA20-POLY1305' || /CCM/.test(cipher)) return `${pre}${cipher}`;
    macPart = rest.endsWith('SHA384') ? 'SHA384' : 'SHA256';
  } else macPart = mac === 'SHA1' ? 'SHA' : mac;
  if (cipher === 'NULL') return `${pre}NULL-${macPart}`;
  if (cipher === 'RC4') return `${pre}RC4-${macPart}`;
  return `${pre}${cipher}-${macPart}`;
}

function parseIana(code: number, name: string): CipherSuite {
  const base = { code, hex: hex(code), name };
  const m = /^TLS_(.+?)_WITH_(.+)$/.exec(name);
  if (!m) {
    // TLS 1.3 (and RFC 8998, RFC 9150): TLS_<AEAD>_<HASH>; no key exchange in the name.
    const rest = name.slice(4);
    const integrityOnly = /^SHA(256|384)_SHA\1$/.test(rest);
    const c = integrityOnly ? null : cipherOf(rest);
    const info = c?.info ?? { cipher: 'NULL', bits: 0, strength: 0, cbc: false, aead: false, ossl: '' };
    const sm = rest.startsWith('SM4');
    return {
      ...base,
      openssl: integrityOnly || sm || rest.startsWith('AEGIS') ? null : name,
      family: 'tls13',
      kx: 'any',
      auth: 'any',
      cipher: info.cipher,
      bits: info.bits,
      strength: info.strength,
      mac: integrityOnly ? rest.split('_')[0]! : 'AEAD',
      tls12Only: false,
      flags: flags({ null: integrityOnly, aead: !integrityOnly, fs: true, sm }),
    };
  }
  const [, kxKey, rest] = m as unknown as [string, string, string];
  const kx = KEY_EXCHANGES[kxKey];
  const c = cipherOf(rest);
  if (!kx || !c) throw new Error(`suites: cannot parse ${name}`);
  const [kxName, auth, fs, anon, exp, psk, prefix] = kx;
  const { info, mac } = c;
  const tls12Only = info.aead || /^SHA(256|384)$/.test(mac) || /GOST|KUZNYECHIK|MAGMA/.test(name);
  return {
    ...base,
    openssl: opensslName(prefix, kxKey, rest, info, mac, exp),
    family: 'tls',
    kx: kxName,
    auth,
    cipher: info.cipher,
    bits: info.bits,
    strength: exp && info.strength > 40 ? 40 : info.strength,
    mac,
    tls12Only,
    flags: flags({
      null: info.cipher === 'NULL',
      export: exp,
      anon,
      rc4: info.cipher === 'RC4',
      des: info.cipher === 'DES-CBC',
      tripleDes: info.cipher === '3DES-CBC',
      cbc: info.cbc,
      aead: info.aead,
      fs,
      psk,
    }),
  };
}

function parseTlcp(code: number, name: string): CipherSuite {
  const [kxKey, ...rest] = name.split('_');
  const kx = TLCP_KX[kxKey!];
  const c = cipherOf(rest.join('_'));
  if (!kx || !c) throw new Error(`suites: cannot parse ${name}`);
  return {
    code,
    hex: hex(code),
    name,
    openssl: null,
    family: 'tlcp',
    kx: kx[0],
    auth: kx[1],
    cipher: c.info.cipher,
    bits: c.info.bits,
    strength: c.info.strength,
    mac: c.mac,
    tls12Only: false,
    flags: flags({ cbc: c.info.cbc, aead: c.info.aead, fs: kx[2], sm: true }),
  };
}

function parseTable(text: string, parse: (code: number, name: string) => CipherSuite): CipherSuite[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [code, name] = l.split(/\s+/) as [string, string];
      return parse(Number.parseInt(code, 16), name);
    });
}

/** Every IANA suite (SSLv3–TLS 1.3), in code order. */
export const SUITES: readonly CipherSuite[] = parseTable(IANA_SUITES, parseIana);
/** TLCP suites (version 0x0101). */
export const TLCP: readonly CipherSuite[] = parseTable(TLCP_SUITES, parseTlcp);

const byCode = new Map<number, CipherSuite>([...SUITES, ...TLCP].map((s) => [s.code, s]));

/** Look a suite up by code point. TLCP codes only resolve when `tlcp` is true (they are private-use values). */
export function suiteByCode(code: number, tlcp = false): CipherSuite | undefined {
  const s = byCode.get(code);
  if (s && s.family === 'tlcp' && !tlcp) return undefined;
  return s;
}

/** A name for a code point that may not be in the table. */
export function suiteName(code: number, tlcp = false): string {
  return suiteByCode(code, tlcp)?.name ?? `UNKNOWN_${hex(code)}`;
}

/** TLS 1.3 suites (RFC 8446, RFC 8998 SM, RFC 9150 integrity-only, AEGIS). */
export const TLS13_SUITES = SUITES.filter((s) => s.family === 'tls13');
/** SSLv3–TLS 1.2 suites. */
export const LEGACY_SUITES = SUITES.filter((s) => s.family === 'tls');

/** Weak-cipher classes of a suite (the facts rules judge; no judgement here beyond naming the class). */
export function suiteClasses(s: CipherSuite): string[] {
  const out: string[] = [];
  if (s.flags.null) out.push('null');
  if (s.flags.export) out.push('export');
  if (s.flags.anon) out.push('anon');
  if (s.flags.rc4) out.push('rc4');
  if (s.flags.des) out.push('des');
  if (s.flags.tripleDes) out.push('3des');
  if (s.flags.cbc) out.push('cbc');
  if (s.flags.aead) out.push('aead');
  out.push(s.flags.fs ? 'fs' : 'no-fs');
  if (s.flags.psk) out.push('psk');
  if (s.flags.sm) out.push('sm');
  return out;
}
