import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judge, loadRules, parseRegistry, silentLogger, type Observation, type Registry, type Rule, type ScanContext, type ScanOutput } from '@govscan/core';
import { createNetClient } from '@govscan/net';
import { startWorld, type HostSpec, type World } from '@govscan/testbed';
import { tls } from './index.js';

/** One host per scenario; `expect` is the set of rules (tls.grade aside) that must fire on it, and nothing else. */
const good = { validDays: 365, ocspStaple: true };
const SCENARIOS: { host: HostSpec; expect: string[] }[] = [
  { host: { name: 'good.tls.gov.cn', cert: good }, expect: [] },
  { host: { name: 'unavailable.tls.gov.cn', https: null }, expect: ['tls.https.unavailable'] },
  { host: { name: 'expired.tls.gov.cn', cert: { expired: true, ocspStaple: true } }, expect: ['tls.cert.expired'] },
  { host: { name: 'notyet.tls.gov.cn', cert: { notYetValid: true, ocspStaple: true } }, expect: ['tls.cert.not-yet-valid'] },
  { host: { name: 'expiring.tls.gov.cn', cert: { ocspStaple: true } }, expect: ['tls.cert.expiring-soon'] },
  { host: { name: 'selfsigned.tls.gov.cn', cert: { ...good, selfSigned: true } }, expect: ['tls.cert.self-signed'] },
  { host: { name: 'untrusted.tls.gov.cn', cert: { ...good, untrustedIssuer: true } }, expect: ['tls.cert.untrusted'] },
  { host: { name: 'nochain.tls.gov.cn', cert: { ...good, omitIntermediate: true } }, expect: ['tls.cert.chain-incomplete'] },
  { host: { name: 'mismatch.tls.gov.cn', cert: { ...good, wrongHost: 'www.elsewhere.gov.cn' } }, expect: ['tls.cert.hostname-mismatch'] },
  { host: { name: 'weakkey.tls.gov.cn', cert: { ...good, keyBits: 1024 } }, expect: ['tls.cert.weak-key'] },
  { host: { name: 'sha1.tls.gov.cn', cert: { ...good, signatureHash: 'sha1' } }, expect: ['tls.cert.weak-signature'] },
  { host: { name: 'nostaple.tls.gov.cn', cert: { validDays: 365 } }, expect: ['tls.ocsp.no-stapling'] },
  {
    host: { name: 'legacy.tls.gov.cn', cert: good, tlsRaw: { protocols: ['TLSv1.0', 'TLSv1.2', 'TLSv1.3'], suites: [0xc02f, 0xc030, 0xc013, 0x1301, 0x1302], ocspStaple: true } },
    expect: ['tls.protocol.legacy'],
  },
  { host: { name: 'no13.tls.gov.cn', cert: good, tlsRaw: { protocols: ['TLSv1.2'], suites: [0xc02f, 0xc030], ocspStaple: true } }, expect: ['tls.protocol.no-tls13'] },
  {
    host: { name: 'weakcipher.tls.gov.cn', cert: good, tlsRaw: { protocols: ['TLSv1.2', 'TLSv1.3'], suites: [0xc02f, 0xc012, 0x1301], ocspStaple: true } },
    expect: ['tls.cipher.weak'],
  },
  {
    host: { name: 'nofs.tls.gov.cn', cert: good, tlsRaw: { protocols: ['TLSv1.2', 'TLSv1.3'], suites: [0x009c, 0xc02f, 0x1301], ocspStaple: true } },
    expect: ['tls.cipher.no-forward-secrecy'],
  },
  {
    host: {
      name: 'tlcp.tls.gov.cn',
      cert: good,
      tlsRaw: { protocols: ['TLSv1.2', 'TLSv1.3', 'TLCP'], suites: [0xc02f, 0x1301, 0x00c6, 0xe013, 0xe011], groups: ['X25519MLKEM768', 'x25519', 'curveSM2'], ocspStaple: true },
    },
    expect: ['tls.tlcp.supported'],
  },
  {
    host: {
      name: 'split.tls.gov.cn',
      dns: { a: ['127.0.0.1', '127.0.0.2'] },
      cert: good,
      tlsRaw: { protocols: ['TLSv1.2', 'TLSv1.3'], suites: [0xc02f, 0xc030, 0x1301], ocspStaple: true, byAddress: { '127.0.0.2': { suites: [0xc030, 0x1302] } } },
    },
    expect: ['tls.address.inconsistent'],
  },
];

const HOSTILE: HostSpec[] = (['stall', 'garbage', 'truncate', 'reset', 'huge-cert-list'] as const).map((behaviour) => ({
  name: `${behaviour}.hostile.gov.cn`,
  cert: good,
  tlsRaw: { protocols: ['TLSv1.2', 'TLSv1.3'], suites: [0xc02f, 0x1301], behaviour },
}));

const LEGACY: HostSpec[] = [
  { name: 'rc4.old.gov.cn', cert: good, tlsRaw: { protocols: ['TLSv1.0'], suites: [0x0005, 0x000a, 0x002f] } },
  { name: 'ssl3.old.gov.cn', cert: good, tlsRaw: { protocols: ['SSLv3', 'TLSv1.0'], suites: [0x0004, 0x000a, 0x0016] } },
];

const ALL_HOSTS = [...SCENARIOS.map((s) => s.host), ...HOSTILE, ...LEGACY];

let world: World;
let registry: Registry;
let rules: Rule[];
beforeAll(async () => {
  const sites = ALL_HOSTS.map((h, i) => `  - { code: "51180000${String(i + 10).padStart(2, '0')}", name: 站点${i}, unit: 办公室, kind: department, division: "511800", urls: [https://${h.name}/] }`);
  registry = parseRegistry(`version: 1\nsites:\n${sites.join('\n')}\n`, 'registry.yaml');
  world = await startWorld({ name: 'tls', hosts: ALL_HOSTS });
  rules = (await loadRules()).filter((r) => r.scanner === 'tls');
});
afterAll(async () => world?.stop());

async function scan(host: string, timeoutMs = 4000): Promise<ScanOutput & { ms: number }> {
  const net = createNetClient({ resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile, registeredHosts: ALL_HOSTS.map((h) => h.name), timeoutMs });
  const ctx: ScanContext = { net, registry, timeoutMs, signal: new AbortController().signal, log: silentLogger, now: () => new Date(), caFile: world.caFile };
  const site = registry.sites.find((s) => s.urls[0] === `https://${host}/`)!;
  const t0 = performance.now();
  try {
    const out = await tls.scan(site, ctx);
    return { ...out, ms: performance.now() - t0 };
  } finally {
    await net.close();
  }
}

function endpoint(out: ScanOutput, address = '127.0.0.1'): Observation {
  const o = out.observations.find((x) => x.kind === 'tls.endpoint' && x.facts.address === address);
  if (!o) throw new Error(`no tls.endpoint for ${address}`);
  return o;
}

describe('tls rules: each fires on its scenario and on no other', () => {
  it.each(SCENARIOS.map((s) => [s.host.name, s.expect] as const))('%s → %j', async (host, expected) => {
    const out = await scan(host);
    const fired = [...new Set(judge(rules, out.observations).map((f) => f.ruleId))].filter((id) => id !== 'tls.grade').sort();
    expect(fired).toEqual([...expected].sort());
  });

  it('the well-configured host has no finding above info, grade A, every check ok', async () => {
    const out = await scan('good.tls.gov.cn');
    const findings = judge(rules, out.observations);
    expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(out.attempts.filter((a) => a.status !== 'ok')).toEqual([]);
    const f = endpoint(out).facts;
    expect(f).toMatchObject({ httpsAvailable: true, protocols: ['TLSv1.2', 'TLSv1.3'], trusted: true, chainComplete: true, hostnameMatch: true, ocspStapled: true, grade: 'A' });
    expect(findings.find((x) => x.ruleId === 'tls.grade')?.evidence).toContain('grade: A');
  });

  it('grades carry the deciding cap', async () => {
    const legacy = endpoint(await scan('legacy.tls.gov.cn')).facts;
    expect(legacy).toMatchObject({ grade: 'B', gradeDecidedBy: 'TLS 1.0 or 1.1 accepted' });
    const expired = endpoint(await scan('expired.tls.gov.cn')).facts;
    expect(expired).toMatchObject({ grade: 'T', gradeIfTrusted: 'A' });
    const mismatch = endpoint(await scan('mismatch.tls.gov.cn')).facts;
    expect(mismatch).toMatchObject({ grade: 'M', gradeDecidedBy: 'certificate name mismatch' });
  });

  it('assesses every address of a host and reports how they differ', async () => {
    const out = await scan('split.tls.gov.cn');
    expect(out.observations.filter((o) => o.kind === 'tls.endpoint').map((o) => o.facts.address).sort()).toEqual(['127.0.0.1', '127.0.0.2']);
    const host = out.observations.find((o) => o.kind === 'tls.host')!;
    expect(host.facts.consistent).toBe(false);
    expect((host.facts.differences as string[]).join('\n')).toMatch(/suites: 127\.0\.0\.1 only .*TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256/);
  });

  it('one rule on several addresses of a host is one finding listing the addresses', async () => {
    const out = await scan('split.tls.gov.cn');
    // both addresses are graded: one tls.grade finding, two occurrences, each address in the evidence
    const grades = judge(rules, out.observations).filter((f) => f.ruleId === 'tls.grade');
    expect(grades).toHaveLength(1);
    expect(grades[0]).toMatchObject({ target: 'split.tls.gov.cn', locator: 'tls:443', occurrences: 2 });
    expect(grades[0]!.evidence.filter((e) => /^127\.0\.0\.[12]:443: /.test(e))).toHaveLength(2);
  });
});

describe('tls against the raw responder: what Node cannot negotiate', () => {
  it('detects TLS 1.0 with RC4 and 3DES, and the rules judge them', async () => {
    const out = await scan('rc4.old.gov.cn');
    const f = endpoint(out).facts;
    expect(f.protocols).toEqual(['TLSv1.0']);
    expect(f.suitesByProtocol).toEqual({ 'TLSv1.0': ['TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_RSA_WITH_RC4_128_SHA'] });
    expect(f.suitesByClass).toMatchObject({ rc4: ['TLS_RSA_WITH_RC4_128_SHA'], '3des': ['TLS_RSA_WITH_3DES_EDE_CBC_SHA'] });
    expect(f.serverPreference).toEqual({ 'TLSv1.0': true });
    expect(f.preferredSuites).toEqual({ 'TLSv1.0': 'TLS_RSA_WITH_RC4_128_SHA' });
    expect(f.grade).toBe('C');
    const findings = judge(rules, out.observations);
    expect(findings.find((x) => x.ruleId === 'tls.protocol.legacy')?.evidence).toContain('protocols: ["TLSv1.0"]');
    expect(findings.find((x) => x.ruleId === 'tls.cipher.weak')?.evidence).toEqual(expect.arrayContaining(['suitesByClass.rc4: ["TLS_RSA_WITH_RC4_128_SHA"]', 'suitesByClass.3des: ["TLS_RSA_WITH_3DES_EDE_CBC_SHA"]']));
  });

  it('detects SSLv3 and reads the certificate from the first flight', async () => {
    const f = endpoint(await scan('ssl3.old.gov.cn')).facts;
    expect(f.protocols).toEqual(['SSLv3', 'TLSv1.0']);
    expect(f.suitesByProtocol).toMatchObject({ SSLv3: expect.arrayContaining(['TLS_RSA_WITH_RC4_128_MD5', 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA']) });
    expect(f).toMatchObject({ certSource: 'first flight (TLSv1.0)', trusted: true, grade: 'C' });
  });

  it('detects TLCP, the RFC 8998 SM suite of TLS 1.3 and the hybrid post-quantum group', async () => {
    const f = endpoint(await scan('tlcp.tls.gov.cn')).facts;
    expect(f).toMatchObject({ tlcp: true, tlcpSuites: ['ECDHE_SM4_CBC_SM3', 'ECC_SM4_CBC_SM3'], smTls13: true });
    expect(f.suitesByProtocol).toMatchObject({ 'TLSv1.3': expect.arrayContaining(['TLS_SM4_GCM_SM3', 'TLS_AES_128_GCM_SHA256']) });
    expect(f.groups).toEqual(expect.arrayContaining(['x25519', 'X25519MLKEM768', 'curveSM2']));
    expect(f.groupsRefused).toEqual(expect.arrayContaining(['secp256r1', 'secp384r1']));
  });
});

describe('tls against hostile servers: an error, never "not supported", never a pass', () => {
  it.each(HOSTILE.map((h) => [h.name]))('%s', async (host) => {
    const timeoutMs = 1500;
    const rssBefore = process.memoryUsage().rss;
    const out = await scan(host, timeoutMs);
    expect(out.ms).toBeLessThan(2 * timeoutMs + 1000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(64 * 1024 * 1024);
    const f = endpoint(out).facts;
    const failed = out.attempts.filter((a) => a.status !== 'ok');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((a) => a.error && a.error.code.length > 0)).toBe(true);
    if (host.startsWith('huge')) {
      // the protocols are answered with ServerHellos; the certificate list is what is hostile
      expect(out.attempts.find((a) => a.check.startsWith('tls:certificate'))).toMatchObject({ status: 'error' });
      expect(f).toMatchObject({ httpsAvailable: true, trusted: null, grade: null, ocspStapled: null });
    } else {
      expect(f).toMatchObject({ httpsAvailable: null, protocols: [], protocolsRefused: [], tls13: null, grade: null, trusted: null });
    }
    expect(judge(rules, out.observations)).toEqual([]);
  });
});
