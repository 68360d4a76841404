import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { defaultRulesDir, judge, parseRuleFile, silentLogger, type InputProblem, type Finding, type NetClient, type Observation, type Registry, type Rule, type ScanContext, type ScanOutput, type Site } from '@govscan/core';
import { createNetClient } from '@govscan/net';
import { startWorld, type HostSpec, type VhostSpec, type World } from '@govscan/testbed';
import { CORS_PROBE_ORIGIN, headers } from './index.js';
import { CONAC_SCRIPT as CONAC, GOOD_CSP, HEADER_SCENARIOS, headerScenario } from '@govscan/testbed';

// ---------------------------------------------------------------------------
// The scenarios (./scenarios.ts): one host each, a well-configured site with one thing changed.

interface Scenario {
  name: string;
  host: HostSpec;
  /** Rules expected to fire (http.grade aside). */
  fires: string[];
}

const hostOf = (id: string): string => `${headerScenario(id).id}.yaan.gov.cn`;
const scenarios: Scenario[] = HEADER_SCENARIOS.map((s) => ({ name: s.id, host: s.build(`${s.id}.yaan.gov.cn`, { otherHost: 'elsewhere.yaan.gov.cn' }), fires: s.fires }));
const site = (name: string, change: (https: VhostSpec & { headers: Record<string, string | string[]> }) => void): HostSpec => {
  const h = headerScenario('good').build(name);
  change(h.https as VhostSpec & { headers: Record<string, string | string[]> });
  return h;
};

// ---------------------------------------------------------------------------
// Bad input.

const HUGE_CSP = `default-src 'self'; script-src ${Array.from({ length: 5000 }, (_, i) => `https://cdn${i}.example.com`).join(' ')}`;
const LONG_CSP = `default-src 'none'; script-src 'self' ${Array.from({ length: 300 }, (_, i) => `https://c${i}.example.com`).join(' ')}; object-src 'none'; frame-ancestors 'self'`;
const REDIRECT_CHAIN = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [i === 0 ? '/' : `/r${i}`, { status: 302, redirect: `/r${i + 1}` }]));

const badHosts: HostSpec[] = [
  headerScenario('good').build('elsewhere.yaan.gov.cn'), // where no-https-via-other-host redirects to
  site('hugeheader.yaan.gov.cn', (s) => (s.headers['Content-Security-Policy'] = HUGE_CSP)),
  site('longheader.yaan.gov.cn', (s) => (s.headers['Content-Security-Policy'] = LONG_CSP)),
  site('twohsts.yaan.gov.cn', (s) => (s.headers['Strict-Transport-Security'] = ['max-age=0', 'max-age=31536000'])),
  site('twoxfo.yaan.gov.cn', (s) => {
    s.headers['X-Frame-Options'] = ['DENY', 'SAMEORIGIN'];
    s.headers['Content-Security-Policy'] = GOOD_CSP.replace("frame-ancestors 'self'; ", '');
  }),
  // Raw UTF-8 bytes in a header, as a misconfigured server sends them (node writes a string's code points 0-255 as bytes).
  site('garbagecsp.yaan.gov.cn', (s) => (s.headers['Content-Security-Policy'] = Buffer.from('这不是策略 ??? <script>alert(1)</script>;;; ;', 'utf8').toString('latin1'))),
  site('nanhsts.yaan.gov.cn', (s) => (s.headers['Strict-Transport-Security'] = 'max-age=forever; includeSubDomains')),
  site('badcookie.yaan.gov.cn', (s) => (s.headers['Set-Cookie'] = ['garbage-without-equals-SECRETVALUE', 'sid=SECRETVALUE2; Secure; HttpOnly; SameSite=bogus'])),
  site('hugebody.yaan.gov.cn', (s) => (s.behaviour = { hugeBodyBytes: 5 * 1024 * 1024 })),
  site('loop.yaan.gov.cn', (s) => (s.behaviour = { redirectLoop: true })),
  { name: 'longchain.yaan.gov.cn', http: { pages: REDIRECT_CHAIN }, https: null },
  { name: 'hang.yaan.gov.cn', http: { behaviour: { hang: true } }, https: { behaviour: { hang: true } } },
];

// ---------------------------------------------------------------------------

const sites: Site[] = [...scenarios.map((s) => s.host), ...badHosts].map((h, i) => ({
  code: `51180001${String(i).padStart(2, '0')}`,
  name: h.name,
  unit: '测试单位',
  kind: 'department',
  division: '511800',
  urls: [`https://${h.name}/`],
}));
const registry: Registry = { file: 'headers.test', sites };

let world: World;
let rules: Rule[];
const outputs = new Map<string, ScanOutput>();

let net: NetClient;

function scan(host: string, timeoutMs = 5000): Promise<ScanOutput> {
  const ctx: ScanContext = { net, registry, timeoutMs, signal: new AbortController().signal, log: silentLogger, now: () => new Date() };
  return headers.scan(sites.find((s) => s.name === host)!, ctx);
}

const findingsOf = (out: ScanOutput): Finding[] => judge(rules, out.observations);
const obs = (out: ScanOutput, kind: string): Observation | undefined => out.observations.find((o) => o.kind === kind);

beforeAll(async () => {
  world = await startWorld({ name: 'headers', hosts: [...scenarios.map((s) => s.host), ...badHosts] });
  net = createNetClient({ resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile, registeredHosts: sites.map((s) => new URL(s.urls[0]!).hostname) });
  // Only this scanner's rule file (validated, and checked against the kinds it emits).
  const problems: InputProblem[] = [];
  const file = path.join(defaultRulesDir, 'headers.yaml');
  rules = parseRuleFile(await readFile(file, 'utf8'), file, problems, { scanners: { headers } });
  expect(problems).toEqual([]);
  const hosts = [...scenarios.map((s) => s.host.name), ...badHosts.map((h) => h.name).filter((n) => n !== 'hang.yaan.gov.cn')];
  await Promise.all(hosts.map(async (h) => outputs.set(h, await scan(h))));
});
afterAll(async () => {
  await net?.close();
  await world?.stop();
});

describe('headers rules: each fires on its scenario and on no other', () => {
  it.each(scenarios)('$name', ({ host, fires }) => {
    const out = outputs.get(host.name)!;
    const fired = findingsOf(out).map((f) => f.ruleId).filter((id) => id !== 'http.grade').sort();
    expect(fired).toEqual([...fires].sort());
    expect(out.attempts.filter((a) => a.status !== 'ok')).toEqual([]);
  });

  it('every headers rule has a scenario of its own', () => {
    const covered = new Set(scenarios.filter((s) => s.fires.length === 1).map((s) => s.fires[0]));
    expect(rules.map((r) => r.id).filter((id) => id !== 'http.grade' && !covered.has(id))).toEqual([]);
  });

  it('the good site scores A+ and has no header finding above info', () => {
    const out = outputs.get(hostOf('good'))!;
    expect(findingsOf(out).filter((f) => f.severity !== 'info')).toEqual([]);
    const g = obs(out, 'headers.grade')!;
    expect(g.facts).toMatchObject({ grade: 'A+', observatoryGrade: 'A+', differs: false });
    expect(g.facts.score).toBeGreaterThanOrEqual(100);
    expect(findingsOf(out).map((f) => f.ruleId)).toEqual(['http.grade']);
    // The mandated badge script is third-party and has no integrity: recorded, not reported.
    expect(obs(out, 'headers.sri')!.facts.withoutIntegrity).toEqual([CONAC]);
  });

  it('asks DNS once and fetches the HTTPS homepage once: the http→https redirect is completed with that answer', () => {
    const host = hostOf('good');
    const reqs = world.requests.filter((r) => r.host === host);
    expect(reqs.map((r) => `${r.tls ? 'https' : 'http'} ${r.headers.origin ? 'origin' : 'plain'}`).sort()).toEqual(['http plain', 'https origin', 'https plain']);
    expect(world.dnsQueries.filter((q) => q.name === host).map((q) => q.type)).toEqual(['A']);
    expect(obs(outputs.get(host)!, 'headers.redirect')!.facts).toMatchObject({
      redirectsToHttps: true,
      viaOtherHost: false,
      hops: [{ url: `http://${host}/`, status: 301, location: `https://${host}/` }, { url: `https://${host}/`, status: 200, location: null }],
    });
  });

  it('grades every scenario, missing everything with an F', () => {
    for (const s of scenarios) expect(obs(outputs.get(s.host.name)!, 'headers.grade')!.facts.grade, s.name).toMatch(/^[A-F][+-]?$/);
    expect(obs(outputs.get(hostOf('missing-everything'))!, 'headers.grade')!.facts).toMatchObject({ score: 5, grade: 'F' });
  });

  it('reports cookie names and flags, never values', () => {
    const out = outputs.get(hostOf('cookie-insecure'))!;
    const f = findingsOf(out).find((x) => x.ruleId === 'http.cookie.insecure')!;
    expect(f.evidence.join('\n')).toContain('JSESSIONID');
    expect(f.evidence.join('\n')).toContain('no Secure');
    expect(JSON.stringify(out)).not.toMatch(/TOPSECRET|s3cr3t/);
    expect(JSON.stringify(outputs.get(hostOf('good')))).not.toContain('s3cr3t');
  });

  it('sends a foreign Origin for CORS and says where the grade differs from the Observatory', () => {
    const out = outputs.get(hostOf('cors-echo'))!;
    expect(world.requests.some((r) => r.host === hostOf('cors-echo') && r.headers.origin === CORS_PROBE_ORIGIN)).toBe(true);
    expect(obs(out, 'headers.cors')!.facts).toMatchObject({ allowOrigin: CORS_PROBE_ORIGIN, echoesOrigin: true, allowCredentials: true });
    const g = obs(out, 'headers.grade')!;
    // -50 takes the base score below 90, so the bonuses no longer count: 100 - 50 - 5 (the badge script) = 45.
    expect(g.facts).toMatchObject({ differs: true, score: 45, grade: 'C-', observatoryScore: 130, observatoryGrade: 'A+' });
    expect(g.evidence!.join('\n')).toMatch(/differs from the Observatory.*cross-origin-resource-sharing/);
    const finding = findingsOf(out).find((f) => f.ruleId === 'http.grade')!;
    expect(finding.evidence.join('\n')).toContain('universal-access');
  });

  it('decodes a GBK page by its <meta> charset and reports the image by its real address', () => {
    const m = obs(outputs.get(hostOf('gbk-mixed-passive'))!, 'headers.mixed-content')!;
    expect(m.facts).toMatchObject({ charset: 'gbk', charsetSource: 'meta', activeCount: 0, passiveCount: 1 });
    expect(decodeURI((m.facts.passive as string[])[0]!)).toBe('http://gbk-mixed-passive.yaan.gov.cn/图片/横幅.jpg');
  });

  it('lists the insecure loads of a mixed page', () => {
    const m = obs(outputs.get(hostOf('mixed-active'))!, 'headers.mixed-content')!;
    expect([...(m.facts.active as string[])].sort()).toEqual(['http://mixed-active.yaan.gov.cn/css/old.css', 'http://mixed-active.yaan.gov.cn/js/old.js']);
  });
});

describe('headers: bad input gives a finding or an attempt with a reason, never a crash', () => {
  it('a header block too large for the client: the fetch is an error attempt saying so, and nothing is graded', () => {
    const out = outputs.get('hugeheader.yaan.gov.cn')!;
    const a = out.attempts.find((x) => x.check === 'https:GET')!;
    expect(a).toMatchObject({ status: 'error', error: { code: 'UND_ERR_HEADERS_OVERFLOW' } });
    expect(a.error!.message).toMatch(/headers are larger than the client accepts/);
    expect(out.attempts.find((x) => x.check === 'grade')).toMatchObject({ status: 'unknown', error: { code: 'ENOTGRADED' } });
  });

  it('a long (but acceptable) policy is read whole', () => {
    const out = outputs.get('longheader.yaan.gov.cn')!;
    expect(obs(out, 'headers.csp')!.facts).toMatchObject({ present: true, unsafeInline: false, problems: [] });
    expect(findingsOf(out).map((f) => f.ruleId)).toEqual(['http.grade']);
  });

  it('HSTS sent twice with contradicting values: the first counts (RFC 6797), max-age=0 is too short', () => {
    const out = outputs.get('twohsts.yaan.gov.cn')!;
    expect(obs(out, 'headers.hsts')!.facts).toMatchObject({ count: 2, valid: true, maxAge: 0 });
    const f = findingsOf(out).find((x) => x.ruleId === 'http.hsts.short')!;
    expect(f.evidence.join('\n')).toContain('sent 2 times');
    // The Observatory reads the two joined with a comma: not valid.
    expect((obs(out, 'headers.grade')!.facts.tests as Record<string, { result: string }>)['strict-transport-security']!.result).toBe('hsts-header-invalid');
  });

  it('contradictory X-Frame-Options: ignored by browsers, so framing is unprotected', () => {
    const out = outputs.get('twoxfo.yaan.gov.cn')!;
    expect(obs(out, 'headers.frame-options')!.facts).toMatchObject({ xFrameOptions: 'DENY, SAMEORIGIN', xFrameOptionsEffective: null });
    expect(findingsOf(out).map((f) => f.ruleId)).toContain('http.frame-options.missing');
  });

  it('a CSP of garbage: an unsafe policy, with the problems in the evidence', () => {
    const out = outputs.get('garbagecsp.yaan.gov.cn')!;
    const f = findingsOf(out).find((x) => x.ruleId === 'http.csp.unsafe')!;
    expect(f).toBeDefined();
    expect(f.evidence.join('\n')).toMatch(/policy problems: .*not a directive/);
    expect(obs(out, 'headers.csp')!.facts).toMatchObject({ present: true, scriptSrcMissing: true, objectSrcMissing: true });
  });

  it('HSTS with a max-age that is not a number: not in effect, and the grade says how the Observatory differs', () => {
    const out = outputs.get('nanhsts.yaan.gov.cn')!;
    expect(obs(out, 'headers.hsts')!.facts).toMatchObject({ present: true, valid: false, maxAge: null });
    const f = findingsOf(out).find((x) => x.ruleId === 'http.hsts.missing')!;
    expect(f.evidence.join('\n')).toMatch(/max-age is not a number/);
    const g = obs(out, 'headers.grade')!;
    // 100 - 20 - 5 (the badge script) = 75, below 90: no bonuses; the Observatory passes the header and adds them.
    expect(g.facts).toMatchObject({ differs: true, score: 75, grade: 'B', observatoryScore: 130, observatoryGrade: 'A+' });
  });

  it('malformed cookies: a nameless one and an invalid SameSite, named without their values', () => {
    const out = outputs.get('badcookie.yaan.gov.cn')!;
    expect(obs(out, 'headers.cookies')!.facts).toMatchObject({ insecure: ['(nameless)', 'sid'], withoutSameSite: ['(nameless)', 'sid'] });
    const f = findingsOf(out).find((x) => x.ruleId === 'http.cookie.insecure')!;
    expect(f.evidence.join('\n')).toContain('SameSite="bogus" not valid');
    expect(JSON.stringify(out)).not.toContain('SECRETVALUE');
  });

  it('a body over the byte limit is cut and marked', () => {
    const out = outputs.get('hugebody.yaan.gov.cn')!;
    const m = obs(out, 'headers.sri')!;
    expect(m.facts).toMatchObject({ bodyTruncated: true, bytes: 2 * 1024 * 1024 });
    expect(m.evidence!.join('\n')).toMatch(/cut at the byte limit/);
    expect(out.attempts.find((a) => a.check === 'https:GET')).toMatchObject({ status: 'ok' });
  });

  it('a redirect loop ends: an error attempt naming it', () => {
    const out = outputs.get('loop.yaan.gov.cn')!;
    const a = out.attempts.find((x) => x.check === 'https:GET')!;
    expect(a).toMatchObject({ status: 'error', error: { code: 'EREDIRECTLOOP' } });
    expect(a.error!.message).toMatch(/redirect loop/);
  });

  it('a redirect chain longer than the limit ends at the limit', () => {
    const out = outputs.get('longchain.yaan.gov.cn')!;
    const a = out.attempts.find((x) => x.check === 'http:GET')!;
    expect(a).toMatchObject({ status: 'error', error: { code: 'ETOOMANYREDIRECTS' } });
    expect(obs(out, 'headers.redirect')!.facts).toMatchObject({ redirectsToHttps: false });
    expect((obs(out, 'headers.redirect')!.facts.hops as unknown[]).length).toBe(11);
  });

  it('a server that never answers: error attempts within the timeout, nothing judged', async () => {
    const t0 = Date.now();
    const out = await scan('hang.yaan.gov.cn', 400);
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(out.attempts.map((a) => [a.check, a.status, a.error?.code]).sort()).toEqual([
      ['cors:GET', 'unknown', 'ENOPAGE'],
      ['grade', 'unknown', 'ENOTGRADED'],
      ['homepage', 'error', 'ETIMEDOUT'],
      ['http:GET', 'error', 'ETIMEDOUT'],
      ['https:GET', 'error', 'ETIMEDOUT'],
    ]);
    expect(findingsOf(out)).toEqual([]);
  });
});
