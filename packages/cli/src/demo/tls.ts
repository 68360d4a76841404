/**
 * TLS problems planted in the demo world, and the certificates that keep the
 * healthy sites healthy for the TLS rules (one-year validity, so no "expires
 * before the next quarterly scan"; OCSP stapling on).
 *
 * Call on the scenario `demoScenario()` returns, before `startWorld`. Two
 * department sites registered with http:// get a raw TLS responder on 443
 * (legacy protocols and suites, or TLCP), which no Node client can talk to:
 * their registered http:// homepage is unaffected.
 */
import type { Registry } from '@govscan/core';
import type { CertSpec, HostSpec, RawTlsSpec, Scenario } from '@govscan/testbed';
import type { PlantedProblem } from '../demo-world.js';

interface Plant {
  code: string;
  seed: string;
  ruleIds: string[];
  how: string;
  cert?: CertSpec;
  tlsRaw?: RawTlsSpec;
}

const HEALTHY: CertSpec = { validDays: 365, ocspStaple: true };

/** Sites the census and the naming plants use are left alone. */
const PLANTS: Plant[] = [
  { code: '5118000017', seed: 'HTTPS 证书已过期', ruleIds: ['tls.cert.expired'], how: 'the certificate expired 30 days ago', cert: { expired: true, ocspStaple: true } },
  { code: '5118250001', seed: '使用自签名证书', ruleIds: ['tls.cert.self-signed'], how: 'a self-signed certificate', cert: { ...HEALTHY, selfSigned: true } },
  { code: '5118000026', seed: '证书链不完整', ruleIds: ['tls.cert.chain-incomplete'], how: 'issued by the intermediate CA, which the server does not send', cert: { ...HEALTHY, omitIntermediate: true } },
  { code: '5118020001', seed: '证书域名与网站域名不符', ruleIds: ['tls.cert.hostname-mismatch'], how: 'the certificate is for www.yucheng.gov.cn.cdn-host.cn', cert: { ...HEALTHY, wrongHost: 'www.yucheng.gov.cn.cdn-host.cn' } },
  {
    code: '5118000033',
    seed: '仍支持 TLS 1.0 及 RC4、3DES 弱密码套件',
    ruleIds: ['tls.protocol.legacy', 'tls.cipher.weak'],
    how: 'port 443 speaks only TLS 1.0 with RC4, 3DES and AES-CBC (an old stack)',
    tlsRaw: { protocols: ['TLSv1.0'], suites: [0x0005, 0x000a, 0x002f, 0x0035] },
  },
  {
    code: '5118000034',
    seed: '支持国密 SSL（TLCP）',
    ruleIds: ['tls.tlcp.supported'],
    how: 'port 443 also answers TLCP hellos with ECC_SM4_CBC_SM3 / ECDHE_SM4_CBC_SM3',
    tlsRaw: { protocols: ['TLSv1.2', 'TLSv1.3', 'TLCP'], suites: [0x1302, 0x1301, 0xc030, 0xc02f, 0xe013, 0xe011], ocspStaple: true },
  },
];

/** Plant the TLS problems into `scenario` (mutated) and say what was planted. */
export function plantTls(scenario: Scenario, registry: Registry): PlantedProblem[] {
  const hostOf = new Map<string, HostSpec>(scenario.hosts.map((h) => [h.name.toLowerCase(), h]));
  for (const h of scenario.hosts) if (h.https !== null) h.cert = { ...HEALTHY, ...h.cert };
  const planted: PlantedProblem[] = [];
  for (const p of PLANTS) {
    const site = registry.sites.find((s) => s.code === p.code);
    if (!site) continue;
    const host = hostOf.get(new URL(site.urls[0]!).hostname.toLowerCase());
    if (!host) continue;
    if (p.cert) host.cert = p.cert;
    if (p.tlsRaw) {
      host.tlsRaw = p.tlsRaw;
      // a certificate for the responder's Certificate message (the vhost itself is never reached on 443)
      host.https ??= {};
      host.cert = HEALTHY;
    }
    for (const ruleId of p.ruleIds) planted.push({ code: p.code, seed: p.seed, ruleId, how: p.how });
  }
  return planted;
}
