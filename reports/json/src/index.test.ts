import { describe, expect, it } from 'vitest';
import type { Rule, ScanRun, Site } from '@govscan/core';
import { sampleFinding, sampleRules, sampleScanRun, sampleSites } from '@govscan/core/testing';
import { jsonReporter, toFindingsDocument } from './index.js';
import { findingsSchema, findingsSchemaErrors } from './validate.js';

// Fixture: core's sample run over two Ya'an sites.
const { yaan: YAAN, yucheng: YUCHENG } = sampleSites;
const { httpsNotEnforced: RULE_HTTPS, hstsMissing: RULE_HSTS } = sampleRules;
const makeRun = (): ScanRun => sampleScanRun();

// ---------------------------------------------------------------------------

/** A deep, mutable copy of the document as plain JSON. */
function docJson(run: ScanRun = makeRun()): any {
  return JSON.parse(jsonReporter.render(run));
}

describe('jsonReporter', () => {
  it('identifies itself and renders pretty JSON with a trailing newline, keeping Chinese as UTF-8', () => {
    expect(jsonReporter.id).toBe('json');
    expect(jsonReporter.fileName).toBe('findings.json');
    const out = jsonReporter.render(makeRun());
    expect(out.endsWith('}\n')).toBe(true);
    expect(out).toContain('\n  "schemaVersion": 1,\n');
    expect(out).toContain('雅安市人民政府');
    expect(out).not.toMatch(/\\u[0-9a-f]{4}/i);
    expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(toFindingsDocument(makeRun()))));
  });

  it('is deterministic and does not mutate the run', () => {
    const run = makeRun();
    const before = structuredClone(run);
    const a = jsonReporter.render(run);
    expect(run).toEqual(before);
    const shuffled = makeRun();
    shuffled.findings.reverse();
    shuffled.attempts.reverse();
    shuffled.rules.reverse();
    expect(jsonReporter.render(shuffled)).toBe(a);
  });
});

describe('findings.json schema', () => {
  it('is a draft 2020-12 schema whose $id is the document $schema', () => {
    const schema = findingsSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(toFindingsDocument(makeRun()).$schema);
  });

  it('accepts the rendered document', () => {
    expect(findingsSchemaErrors(docJson())).toEqual([]);
  });

  it('accepts an empty run (no findings, no attempts, no title)', () => {
    const run = makeRun();
    run.findings = [];
    run.attempts = [];
    delete run.registry.title;
    const doc = docJson(run);
    expect(findingsSchemaErrors(doc)).toEqual([]);
    expect(doc.registry).toEqual({ file: 'examples/yaan/registry.yaml', sites: 41 });
    expect(doc.rules.map((r: { id: string }) => r.id)).toEqual(['census.slow', 'dns.caa-missing', 'headers.hsts-missing', 'https.not-enforced']);
    expect(doc.sites.map((s: any) => s.worstSeverity)).toEqual([null, null]);
  });

  const broken: Array<[string, (doc: any) => void]> = [
    ['a bogus finding severity', (d) => { d.findings[0].severity = 'severe'; }],
    ['a bogus rule severity', (d) => { d.rules[0].severity = 'urgent'; }],
    ['a bogus worstSeverity', (d) => { d.sites[0].worstSeverity = 'none'; }],
    ['a bogus attempt status', (d) => { d.attempts[0].status = 'failed'; }],
    ['a missing finding id', (d) => { delete d.findings[0].id; }],
    ['an unknown top-level property', (d) => { d.observations = []; }],
    ['an unknown finding property', (d) => { d.findings[0].colour = 'red'; }],
    ['a bogus verdict state', (d) => { d.verdicts[0].state = 'maybe'; }],
    ['a bogus site state', (d) => { d.sites[0].state = 'fine'; }],
    ['a missing bySeverity key', (d) => { delete d.summary.bySeverity.critical; }],
    ['a negative count', (d) => { d.summary.findings = -1; }],
    ['another schemaVersion', (d) => { d.schemaVersion = 2; }],
    ['a malformed timestamp', (d) => { d.startedAt = 'yesterday'; }],
    ['a malformed site code', (d) => { d.sites[0].code = '51180000'; }],
  ];
  for (const [what, breakIt] of broken) {
    it(`rejects ${what}`, () => {
      const doc = docJson();
      expect(findingsSchemaErrors(doc)).toEqual([]);
      breakIt(doc);
      expect(findingsSchemaErrors(doc).length).toBeGreaterThan(0);
    });
  }
});

describe('toFindingsDocument', () => {
  it('carries run metadata and the versioned header', () => {
    const doc = toFindingsDocument(makeRun());
    expect(doc.$schema).toBe('https://govscan.dev/schema/findings-v1.json');
    expect(doc.schemaVersion).toBe(1);
    expect(doc.tool).toEqual({ name: 'govscan', version: '0.1.0' });
    expect(doc.startedAt).toBe('2024-05-06T02:00:00.000Z');
    expect(doc.finishedAt).toBe('2024-05-06T02:00:12.000Z');
    expect(doc.registry).toEqual({ file: 'examples/yaan/registry.yaml', title: '雅安市政府网站名录（2018年第二季度）', sites: 41 });
    expect(doc.scanners).toEqual(['reachability', 'tls']);
    expect(doc.options).toEqual({ timeoutMs: 10000, concurrency: 4, only: ['5118000022', '5118020001'], proxy: null });
  });

  it('sorts findings by severity desc, then registry site order, then ruleId, then id', () => {
    const doc = toFindingsDocument(makeRun());
    expect(doc.findings.map((f) => [f.severity, f.site.code, f.ruleId, f.target])).toEqual([
      ['high', YAAN.code, 'https.not-enforced', 'http://www.yaan.gov.cn/'],
      ['high', YAAN.code, 'https.not-enforced', 'http://www.yaan.gov.cn/zwgk/'],
      ['high', YUCHENG.code, 'https.not-enforced', 'http://www.yucheng.gov.cn/'],
      ['medium', YAAN.code, 'headers.hsts-missing', 'https://www.yaan.gov.cn/'],
      ['low', YUCHENG.code, 'census.slow', 'https://yucheng.gov.cn/'],
    ]);
    // The first two tie on severity, site and rule: their ids decide.
    expect((doc.findings[0]?.id ?? '') < (doc.findings[1]?.id ?? '')).toBe(true);
  });

  it('orders findings of equal severity on one site by ruleId before id', () => {
    const run = makeRun();
    const sameSeverity: Rule = { ...RULE_HSTS, id: 'aaa.first', severity: 'high' };
    run.rules.push(sameSeverity);
    // An id that sorts after every other one: only its ruleId can put it first.
    run.findings.push({ ...sampleFinding(sameSeverity, YAAN, 'https://www.yaan.gov.cn/'), id: `gs1-${'f'.repeat(32)}` });
    const doc = toFindingsDocument(run);
    expect(doc.findings.slice(0, 3).map((f) => [f.ruleId, f.target])).toEqual([
      ['aaa.first', 'https://www.yaan.gov.cn/'],
      ['https.not-enforced', 'http://www.yaan.gov.cn/'],
      ['https.not-enforced', 'http://www.yaan.gov.cn/zwgk/'],
    ]);
  });

  it('keeps finding ids as given and every finding field, but no observations', () => {
    const run = makeRun();
    const doc = toFindingsDocument(run);
    const byId = new Map(run.findings.map((f) => [f.id, f]));
    for (const f of doc.findings) expect(f).toEqual(byId.get(f.id));
    const text = jsonReporter.render(run);
    expect(text).not.toContain('observation-only');
    expect(text).not.toContain('"observations"');
  });

  it('counts findings by severity and attempts by status', () => {
    const doc = toFindingsDocument(makeRun());
    expect(doc.summary).toEqual({
      sites: 2,
      findings: 5,
      bySeverity: { info: 0, low: 1, medium: 1, high: 3, critical: 0 },
      attempts: { ok: 3, error: 1, unknown: 1 },
      problemSeverity: 'low',
      sitesChecked: 2,
      sitesPartial: 0,
      sitesUnchecked: 0,
      sitesWithProblems: 2,
      problems: 5,
      incomplete: false,
    });
  });

  it('summarizes each site in registry order', () => {
    const doc = toFindingsDocument(makeRun());
    expect(doc.sites).toEqual([
      {
        code: '5118000022', name: '雅安市人民政府', unit: '雅安市人民政府办公室', kind: 'portal', division: '511800',
        urls: ['https://www.yaan.gov.cn/'], findings: 3, worstSeverity: 'high', attempts: { ok: 2, error: 0, unknown: 1 }, identity: null,
        state: 'problems', problems: '未强制使用 HTTPS、缺少 HSTS 响应头', problemRules: ['https.not-enforced', 'headers.hsts-missing'],
        // the CAA rule (info) could not be decided, but it is no 突出问题 at the default threshold
        undetermined: [], grades: {},
      },
      {
        code: '5118020001', name: '雨城区人民政府', unit: '雨城区人民政府办公室', kind: 'county-portal', division: '511802',
        urls: ['http://www.yucheng.gov.cn/', 'https://yucheng.gov.cn/'], findings: 2, worstSeverity: 'high',
        attempts: { ok: 1, error: 1, unknown: 0 }, identity: null,
        state: 'problems', problems: '未强制使用 HTTPS、网站速度较慢', problemRules: ['https.not-enforced', 'census.slow'], undetermined: [], grades: {},
      },
    ]);
    // icp/psb are registry data, not part of the per-site summary.
    expect(Object.keys(doc.sites[0] ?? {})).not.toContain('icp');
  });

  it('carries the identity the naming scanner read, and validates', () => {
    const run = makeRun();
    const identity = { url: 'https://www.yaan.gov.cn/', finalUrl: 'https://www.yaan.gov.cn/', loaded: true, complete: true, siteCode: '5118000022', icp: '蜀ICP备05005390号-1', psb: null, conacId: '60446925', sponsor: '雅安市人民政府办公室', contact: null, name: '雅安市人民政府', title: '雅安市人民政府', siteDomain: 'www.yaan.gov.cn', sources: { siteCode: [{ value: '5118000022', where: 'meta[name=SiteIDCode]' }] } };
    run.observations.push({ scanner: 'naming', kind: 'naming.identity', site: { code: '5118000022', name: '雅安市人民政府' }, target: 'https://www.yaan.gov.cn/', locator: 'homepage', facts: identity, observedAt: '2026-11-28T00:00:00.000Z' });
    const doc = toFindingsDocument(run);
    expect(doc.sites[0]!.identity).toEqual(identity);
    expect(doc.sites[1]!.identity).toBeNull();
    expect(findingsSchemaErrors(JSON.parse(JSON.stringify(doc)))).toEqual([]);
    (doc.sites[0]!.identity as Record<string, unknown>).colour = 'red';
    expect(findingsSchemaErrors(JSON.parse(JSON.stringify(doc)))).not.toEqual([]);
  });

  it('gives worstSeverity per site and null for a clean site', () => {
    const run = makeRun();
    run.findings = run.findings.filter((f) => !(f.site.code === YUCHENG.code && f.severity === 'high'));
    const clean: Site = { code: 'bm00010001', name: '示例部门网站', unit: '示例部门', kind: 'department', division: '000000', urls: ['https://bm.example.gov.cn/'] };
    run.sites.push(clean);
    const doc = toFindingsDocument(run);
    expect(doc.sites.map((s) => [s.code, s.findings, s.worstSeverity])).toEqual([
      ['5118000022', 3, 'high'],
      ['5118020001', 1, 'low'],
      ['bm00010001', 0, null],
    ]);
    expect(doc.summary.sites).toBe(3);
    expect(findingsSchemaErrors(JSON.parse(JSON.stringify(doc)))).toEqual([]);
  });

  it('lists every attempt, ok ones included, by site order, scanner, check, target', () => {
    const doc = toFindingsDocument(makeRun());
    expect(doc.attempts.map((a) => [a.site.code, a.scanner, a.check, a.target, a.status])).toEqual([
      ['5118000022', 'reachability', 'dns.A', 'www.yaan.gov.cn', 'unknown'],
      ['5118000022', 'reachability', 'http.get', 'https://www.yaan.gov.cn/', 'ok'],
      ['5118000022', 'tls', 'tls.handshake', 'www.yaan.gov.cn:443', 'ok'],
      ['5118020001', 'reachability', 'http.get', 'http://www.yucheng.gov.cn/', 'error'],
      ['5118020001', 'reachability', 'http.get', 'https://yucheng.gov.cn/', 'ok'],
    ]);
    const failed = doc.attempts.filter((a) => a.status !== 'ok');
    expect(failed.map((a) => a.error)).toEqual([
      { code: 'EDNSUNKNOWN', message: 'resolver SERVFAIL' },
      { code: 'ETIMEDOUT', message: '连接超时 (10000 ms)' },
    ]);
    expect(doc.attempts.filter((a) => a.status === 'ok').every((a) => !('error' in a))).toBe(true);
  });

  it('sorts findings and attempts of sites missing from the registry after registered ones', () => {
    const run = makeRun();
    const stray = { code: '5100000001', name: '未登记站点' };
    run.findings.push(sampleFinding(RULE_HTTPS, stray, 'http://fake.example/'));
    run.attempts.push({ scanner: 'a-first', site: stray, target: 'http://fake.example/', check: 'http.get', status: 'ok', startedAt: '2024-05-06T02:00:05.000Z', durationMs: 1 });
    const doc = toFindingsDocument(run);
    expect(doc.findings.filter((f) => f.severity === 'high').map((f) => f.site.code)).toEqual([YAAN.code, YAAN.code, YUCHENG.code, '5100000001']);
    expect(doc.attempts.at(-1)?.site.code).toBe('5100000001');
    expect(doc.sites).toHaveLength(2);
  });

  it('includes every rule in scope, sorted by id, with what outputs need of it and tags defaulting to []', () => {
    const doc = toFindingsDocument(makeRun());
    expect(doc.rules.map((r) => r.id)).toEqual(['census.slow', 'dns.caa-missing', 'headers.hsts-missing', 'https.not-enforced']);
    expect(doc.rules[2]).toEqual({
      id: 'headers.hsts-missing',
      title: { zh: '缺少 HSTS 响应头', en: 'HSTS header missing' },
      severity: 'medium',
      description: RULE_HSTS.description,
      remediation: RULE_HSTS.remediation,
      reference: 'https://www.rfc-editor.org/rfc/rfc6797',
      scanner: 'reachability',
      observation: 'reachability.homepage',
      kind: 'problem',
      tags: [],
    });
    expect(doc.rules[3]?.tags).toEqual(['transport', 'https']);
    expect(doc.rules[0]?.census).toEqual({ phrase: '网站速度较慢' });
    // Matchers and rule sources are internals.
    expect(Object.keys(doc.rules[3] ?? {})).not.toContain('match');
  });
});
