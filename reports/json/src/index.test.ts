import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { Attempt, Finding, Rule, ScanRun, Site } from '@govscan/core';
import { findingsSchemaPath, jsonReporter, toFindingsDocument } from './index.js';

// ajv-formats is CommonJS with `exports.default`; `.default` is right for both tsc (NodeNext) and the runtime.
const addFormats = addFormatsModule.default;

// ---------------------------------------------------------------------------
// Fixture: a small but realistic run over two Ya'an sites.

const YAAN: Site = {
  code: '5118000022',
  name: '雅安市人民政府',
  unit: '雅安市人民政府办公室',
  kind: 'portal',
  division: '511800',
  urls: ['https://www.yaan.gov.cn/'],
  icp: '蜀ICP备05005390号-1',
  psb: '川公网安备 51180002000100号',
};
const YUCHENG: Site = {
  code: '5118020001',
  name: '雨城区人民政府',
  unit: '雨城区人民政府办公室',
  kind: 'county-portal',
  division: '511802',
  urls: ['http://www.yucheng.gov.cn/', 'https://yucheng.gov.cn/'],
};
const ref = (s: Site) => ({ code: s.code, name: s.name });

const RULE_HTTPS: Rule = {
  id: 'https.not-enforced',
  title: { zh: '未强制使用 HTTPS', en: 'HTTPS not enforced' },
  severity: 'high',
  description: { zh: '首页可通过明文 HTTP 访问且未跳转到 HTTPS。', en: 'The homepage is served over plain HTTP without a redirect to HTTPS.' },
  remediation: { zh: '将所有 HTTP 请求 301 跳转到 HTTPS。', en: 'Redirect all HTTP requests to HTTPS with a 301.' },
  reference: '《政府网站发展指引》(国办发〔2017〕47号) 安全防护',
  scanner: 'reachability',
  observation: 'reachability.homepage',
  match: { fact: 'finalScheme', equals: 'http' },
  evidence: ['finalUrl'],
  tags: ['transport', 'https'],
  source: { file: 'rules/https.yaml', line: 1 },
};
const RULE_HSTS: Rule = {
  id: 'headers.hsts-missing',
  title: { zh: '缺少 HSTS 响应头', en: 'HSTS header missing' },
  severity: 'low',
  description: { zh: 'HTTPS 响应未包含 Strict-Transport-Security。', en: 'The HTTPS response has no Strict-Transport-Security header.' },
  remediation: { zh: '添加 Strict-Transport-Security: max-age=31536000。', en: 'Send Strict-Transport-Security: max-age=31536000.' },
  reference: 'https://www.rfc-editor.org/rfc/rfc6797',
  scanner: 'reachability',
  observation: 'reachability.homepage',
  match: { fact: 'headers.strict-transport-security', missing: true },
  source: { file: 'rules/headers.yaml', line: 12 },
};
/** Loaded but matched nothing in this run: must not appear in `rules`. */
const RULE_UNUSED: Rule = {
  id: 'dns.caa-missing',
  title: { zh: '未配置 CAA 记录', en: 'No CAA record' },
  severity: 'info',
  description: { zh: '域名没有 CAA 记录。', en: 'The domain has no CAA record.' },
  remediation: { zh: '添加 CAA 记录。', en: 'Publish a CAA record.' },
  reference: 'RFC 8659',
  scanner: 'dns',
  observation: 'dns.caa',
  match: { fact: 'records', missing: true },
  source: { file: 'rules/dns.yaml', line: 3 },
};

function finding(id: string, rule: Rule, site: Site, target: string, locator: string, evidence: string[]): Finding {
  return {
    id,
    ruleId: rule.id,
    severity: rule.severity,
    title: rule.title,
    site: ref(site),
    target,
    locator,
    evidence,
    observedAt: '2024-05-06T02:00:03.000Z',
    scanner: rule.scanner,
  };
}

const hex = (c: string) => `gs1-${c.repeat(32)}`;

function makeRun(): ScanRun {
  const findings: Finding[] = [
    finding(hex('a'), RULE_HSTS, YAAN, 'https://www.yaan.gov.cn/', 'homepage', ['headers.strict-transport-security: null']),
    finding(hex('b'), RULE_HTTPS, YUCHENG, 'http://www.yucheng.gov.cn/', 'homepage', ['finalUrl: http://www.yucheng.gov.cn/']),
    finding(hex('c'), RULE_HTTPS, YAAN, 'http://www.yaan.gov.cn/', 'homepage', ['finalUrl: http://www.yaan.gov.cn/']),
    finding(hex('d'), RULE_HSTS, YUCHENG, 'https://yucheng.gov.cn/', 'homepage', []),
    finding(hex('1'), RULE_HTTPS, YAAN, 'http://www.yaan.gov.cn/zwgk/', 'homepage', ['finalUrl: http://www.yaan.gov.cn/zwgk/']),
  ];
  const attempts: Attempt[] = [
    { scanner: 'reachability', site: ref(YUCHENG), target: 'http://www.yucheng.gov.cn/', check: 'http.get', status: 'error',
      error: { code: 'ETIMEDOUT', message: '连接超时 (10000 ms)' }, startedAt: '2024-05-06T02:00:01.000Z', durationMs: 10000 },
    { scanner: 'tls', site: ref(YAAN), target: 'www.yaan.gov.cn:443', check: 'tls.handshake', status: 'ok',
      startedAt: '2024-05-06T02:00:02.000Z', durationMs: 85.5 },
    { scanner: 'reachability', site: ref(YAAN), target: 'https://www.yaan.gov.cn/', check: 'http.get', status: 'ok',
      startedAt: '2024-05-06T02:00:00.500Z', durationMs: 120 },
    { scanner: 'reachability', site: ref(YAAN), target: 'www.yaan.gov.cn', check: 'dns.A', status: 'unknown',
      error: { code: 'EDNSUNKNOWN', message: 'resolver SERVFAIL' }, startedAt: '2024-05-06T02:00:00.100Z', durationMs: 3000 },
    { scanner: 'reachability', site: ref(YUCHENG), target: 'https://yucheng.gov.cn/', check: 'http.get', status: 'ok',
      startedAt: '2024-05-06T02:00:01.200Z', durationMs: 240 },
  ];
  return {
    tool: { name: 'govscan', version: '0.1.0' },
    startedAt: '2024-05-06T02:00:00.000Z',
    finishedAt: '2024-05-06T02:00:12.000Z',
    registry: { file: 'examples/yaan/registry.yaml', title: '雅安市政府网站名录（2018年第二季度）', sites: 41 },
    scanners: ['reachability', 'tls'],
    options: { timeoutMs: 10000, concurrency: 4, only: ['5118000022', '5118020001'], proxy: null },
    sites: [YAAN, YUCHENG],
    rules: [RULE_UNUSED, RULE_HTTPS, RULE_HSTS],
    observations: [
      { scanner: 'reachability', kind: 'reachability.homepage', site: ref(YAAN), target: 'https://www.yaan.gov.cn/',
        locator: 'homepage', facts: { status: 200, secretish: 'observation-only' }, observedAt: '2024-05-06T02:00:03.000Z' },
    ],
    attempts,
    findings,
  };
}

// ---------------------------------------------------------------------------

function compileSchema() {
  const schema = JSON.parse(readFileSync(findingsSchemaPath, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  return { schema, validate: ajv.compile(schema) };
}

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
    const { schema } = compileSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(toFindingsDocument(makeRun()).$schema);
  });

  it('accepts the rendered document', () => {
    const { validate } = compileSchema();
    const ok = validate(docJson());
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('accepts an empty run (no findings, no attempts, no title)', () => {
    const { validate } = compileSchema();
    const run = makeRun();
    run.findings = [];
    run.attempts = [];
    delete run.registry.title;
    const doc = docJson(run);
    expect(validate(doc)).toBe(true);
    expect(doc.registry).toEqual({ file: 'examples/yaan/registry.yaml', sites: 41 });
    expect(doc.rules).toEqual([]);
    expect(doc.sites.map((s: any) => s.worstSeverity)).toEqual([null, null]);
  });

  const broken: Array<[string, (doc: any) => void]> = [
    ['a bogus finding severity', (d) => { d.findings[0].severity = 'severe'; }],
    ['a bogus rule severity', (d) => { d.rules[0].severity = 'urgent'; }],
    ['a bogus worstSeverity', (d) => { d.sites[0].worstSeverity = 'none'; }],
    ['a bogus attempt status', (d) => { d.attempts[0].status = 'failed'; }],
    ['a missing finding id', (d) => { delete d.findings[0].id; }],
    ['an unknown top-level property', (d) => { d.observations = []; }],
    ['an unknown finding property', (d) => { d.findings[0].facts = {}; }],
    ['a missing bySeverity key', (d) => { delete d.summary.bySeverity.critical; }],
    ['a negative count', (d) => { d.summary.findings = -1; }],
    ['another schemaVersion', (d) => { d.schemaVersion = 2; }],
    ['a malformed timestamp', (d) => { d.startedAt = 'yesterday'; }],
    ['a malformed site code', (d) => { d.sites[0].code = '51180000'; }],
  ];
  for (const [what, breakIt] of broken) {
    it(`rejects ${what}`, () => {
      const { validate } = compileSchema();
      const doc = docJson();
      expect(validate(doc)).toBe(true);
      breakIt(doc);
      expect(validate(doc)).toBe(false);
      expect(validate.errors?.length).toBeGreaterThan(0);
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
    expect(doc.findings.map((f) => f.id)).toEqual([hex('1'), hex('c'), hex('b'), hex('a'), hex('d')]);
  });

  it('orders findings of equal severity on one site by ruleId before id', () => {
    const run = makeRun();
    const sameSeverity: Rule = { ...RULE_HSTS, id: 'aaa.first', severity: 'high' };
    run.rules.push(sameSeverity);
    run.findings.push(finding(hex('f'), sameSeverity, YAAN, 'https://www.yaan.gov.cn/', 'homepage', []));
    const doc = toFindingsDocument(run);
    expect(doc.findings.slice(0, 3).map((f) => [f.ruleId, f.id])).toEqual([
      ['aaa.first', hex('f')],
      ['https.not-enforced', hex('1')],
      ['https.not-enforced', hex('c')],
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
      bySeverity: { info: 0, low: 2, medium: 0, high: 3, critical: 0 },
      attempts: { ok: 3, error: 1, unknown: 1 },
    });
  });

  it('summarizes each site in registry order', () => {
    const doc = toFindingsDocument(makeRun());
    expect(doc.sites).toEqual([
      {
        code: '5118000022', name: '雅安市人民政府', unit: '雅安市人民政府办公室', kind: 'portal', division: '511800',
        urls: ['https://www.yaan.gov.cn/'], findings: 3, worstSeverity: 'high', attempts: { ok: 2, error: 0, unknown: 1 },
      },
      {
        code: '5118020001', name: '雨城区人民政府', unit: '雨城区人民政府办公室', kind: 'county-portal', division: '511802',
        urls: ['http://www.yucheng.gov.cn/', 'https://yucheng.gov.cn/'], findings: 2, worstSeverity: 'high',
        attempts: { ok: 1, error: 1, unknown: 0 },
      },
    ]);
    // icp/psb are registry data, not part of the per-site summary.
    expect(Object.keys(doc.sites[0] ?? {})).not.toContain('icp');
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
    expect(compileSchema().validate(JSON.parse(JSON.stringify(doc)))).toBe(true);
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
    run.findings.push({ ...finding(hex('e'), RULE_HTTPS, YAAN, 'http://fake.example/', 'homepage', []), site: stray });
    run.attempts.push({ scanner: 'a-first', site: stray, target: 'http://fake.example/', check: 'http.get', status: 'ok', startedAt: '2024-05-06T02:00:05.000Z', durationMs: 1 });
    const doc = toFindingsDocument(run);
    expect(doc.findings.filter((f) => f.severity === 'high').map((f) => f.id)).toEqual([hex('1'), hex('c'), hex('b'), hex('e')]);
    expect(doc.attempts.at(-1)?.site.code).toBe('5100000001');
    expect(doc.sites).toHaveLength(2);
  });

  it('includes only the rules referenced by findings, sorted by id, with tags defaulting to []', () => {
    const doc = toFindingsDocument(makeRun());
    expect(doc.rules.map((r) => r.id)).toEqual(['headers.hsts-missing', 'https.not-enforced']);
    expect(doc.rules[0]).toEqual({
      id: 'headers.hsts-missing',
      title: { zh: '缺少 HSTS 响应头', en: 'HSTS header missing' },
      severity: 'low',
      description: RULE_HSTS.description,
      remediation: RULE_HSTS.remediation,
      reference: 'https://www.rfc-editor.org/rfc/rfc6797',
      scanner: 'reachability',
      tags: [],
    });
    expect(doc.rules[1]?.tags).toEqual(['transport', 'https']);
    // Matchers and rule sources are internals.
    expect(Object.keys(doc.rules[1] ?? {})).not.toContain('match');
  });
});
