import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { Attempt, Finding, Rule, ScanRun, Site } from '@govscan/core';
import { FINGERPRINT_KEY, ruleName, sarifReporter, targetUri, toSarif } from './index.js';

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
  tags: ['transport', 'https', 'transport'],
  source: { file: 'rules/https.yaml', line: 1 },
};
const RULE_HSTS: Rule = {
  id: 'headers.hsts-missing',
  title: { zh: '缺少 HSTS 响应头', en: 'HSTS header missing' },
  severity: 'medium',
  description: { zh: 'HTTPS 响应未包含 Strict-Transport-Security。', en: 'The HTTPS response has no Strict-Transport-Security header.' },
  remediation: { zh: '添加 Strict-Transport-Security: max-age=31536000。', en: 'Send Strict-Transport-Security: max-age=31536000.' },
  reference: 'https://www.rfc-editor.org/rfc/rfc6797',
  scanner: 'reachability',
  observation: 'reachability.homepage',
  match: { fact: 'headers.strict-transport-security', missing: true },
  source: { file: 'rules/headers.yaml', line: 12 },
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
    finding(hex('b'), RULE_HTTPS, YUCHENG, 'http://www.yucheng.gov.cn/', 'homepage', ['finalUrl: http://www.yucheng.gov.cn/', 'status: 200']),
    finding(hex('c'), RULE_HTTPS, YAAN, 'http://www.yaan.gov.cn/', 'homepage', ['finalUrl: http://www.yaan.gov.cn/']),
    // Low severity, from a rule this run did not load: still a valid result, without ruleIndex.
    { ...finding(hex('d'), RULE_HSTS, YUCHENG, 'https://yucheng.gov.cn/', 'homepage', []), ruleId: 'legacy.rule', severity: 'low',
      title: { zh: '旧规则', en: 'Legacy rule' } },
  ];
  const attempts: Attempt[] = [
    { scanner: 'reachability', site: ref(YUCHENG), target: 'http://www.yucheng.gov.cn/', check: 'http.get', status: 'error',
      error: { code: 'ETIMEDOUT', message: '连接超时 (10000 ms)' }, startedAt: '2024-05-06T02:00:01.000Z', durationMs: 10000 },
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
    scanners: ['reachability'],
    options: { timeoutMs: 10000, concurrency: 4 },
    sites: [YAAN, YUCHENG],
    rules: [RULE_HTTPS, RULE_HSTS],
    observations: [],
    attempts,
    findings,
  };
}

// ---------------------------------------------------------------------------
// The official SARIF 2.1.0 schema, as shipped by @microsoft/jest-sarif.

function compileSarifSchema() {
  const pkg = createRequire(import.meta.url).resolve('@microsoft/jest-sarif/package.json');
  const raw = JSON.parse(readFileSync(join(dirname(pkg), 'lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as Record<string, unknown>;
  // The file declares draft-04 (`$schema` draft-04, `id`), which Ajv 8 has no meta-schema for. Its keywords
  // are all draft-04/07 compatible (no boolean exclusiveMinimum), so drop the declaration and compile as draft-07.
  const { $schema: _draft04, id: _id, ...schema } = raw;
  expect(_draft04).toBe('http://json-schema.org/draft-04/schema#');
  // `unicodeRegExp: false`: the schema's `language` pattern (`...[a-zA-Z]{2}]?$`) has a stray `]` that is
  // legal only in non-unicode JavaScript regular expressions.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

const validateSarif = compileSarifSchema();

function sarifJson(run: ScanRun = makeRun()): any {
  return JSON.parse(sarifReporter.render(run));
}

describe('sarifReporter', () => {
  it('identifies itself and renders pretty JSON with UTF-8 Chinese text', () => {
    expect(sarifReporter.id).toBe('sarif');
    expect(sarifReporter.fileName).toBe('findings.sarif');
    const out = sarifReporter.render(makeRun());
    expect(out.endsWith('}\n')).toBe(true);
    expect(out).toContain('未强制使用 HTTPS');
    expect(out).not.toMatch(/\\u[0-9a-f]{4}/i);
    expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(toSarif(makeRun()))));
  });

  it('is deterministic and does not mutate the run', () => {
    const run = makeRun();
    const before = structuredClone(run);
    const out = sarifReporter.render(run);
    expect(run).toEqual(before);
    const shuffled = makeRun();
    shuffled.findings.reverse();
    shuffled.attempts.reverse();
    shuffled.rules.reverse();
    expect(sarifReporter.render(shuffled)).toBe(out);
  });
});

describe('SARIF 2.1.0 schema validation', () => {
  it('accepts the rendered log', () => {
    const ok = validateSarif(sarifJson());
    expect(validateSarif.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('accepts an empty run', () => {
    const run = makeRun();
    run.findings = [];
    run.attempts = [];
    run.rules = [];
    delete run.registry.title;
    expect(validateSarif(sarifJson(run))).toBe(true);
  });

  it('accepts non-ASCII targets, percent-encoded', () => {
    const run = makeRun();
    run.findings.push(finding(hex('e'), RULE_HTTPS, YAAN, 'http://雅安市人民政府.政务/政务公开/', 'homepage', []));
    const log = sarifJson(run);
    expect(validateSarif(log)).toBe(true);
    const uris = log.runs[0].results.map((r: any) => r.locations[0].physicalLocation.artifactLocation.uri);
    expect(uris).toContain(targetUri('http://雅安市人民政府.政务/政务公开/'));
    expect(decodeURI(targetUri('http://雅安市人民政府.政务/政务公开/'))).toBe('http://雅安市人民政府.政务/政务公开/');
  });

  const broken: Array<[string, (log: any) => void]> = [
    ['a result without message', (l) => { delete l.runs[0].results[0].message; }],
    ['a bogus result level', (l) => { l.runs[0].results[0].level = 'critical'; }],
    ['a wrong version', (l) => { l.version = '2.0.0'; }],
    ['a driver without name', (l) => { delete l.runs[0].tool.driver.name; }],
    ['a rule without id', (l) => { delete l.runs[0].tool.driver.rules[0].id; }],
    ['an invocation without executionSuccessful', (l) => { delete l.runs[0].invocations[0].executionSuccessful; }],
    ['a non-string fingerprint', (l) => { l.runs[0].results[0].partialFingerprints[FINGERPRINT_KEY] = 42; }],
    ['an unknown top-level property', (l) => { l.findings = []; }],
    ['an unencoded non-ASCII artifact URI', (l) => { l.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = 'http://雅安.政务/a b'; }],
    ['a malformed invocation time', (l) => { l.runs[0].invocations[0].startTimeUtc = '2024-05-06 02:00'; }],
  ];
  for (const [what, breakIt] of broken) {
    it(`rejects ${what}`, () => {
      const log = sarifJson();
      expect(validateSarif(log)).toBe(true);
      breakIt(log);
      expect(validateSarif(log)).toBe(false);
      expect(validateSarif.errors?.length).toBeGreaterThan(0);
    });
  }
});

describe('toSarif', () => {
  it('writes one run with the govscan driver, no informationUri', () => {
    const log = toSarif(makeRun());
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const driver = log.runs[0]?.tool.driver;
    expect(driver?.name).toBe('govscan');
    expect(driver?.version).toBe('0.1.0');
    expect(driver).not.toHaveProperty('informationUri');
  });

  it('describes every rule of the run, with English text, Chinese properties and GitHub severity', () => {
    const rules = toSarif(makeRun()).runs[0]?.tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).toEqual(['headers.hsts-missing', 'https.not-enforced']);
    const https = rules[1];
    expect(https).toMatchObject({
      id: 'https.not-enforced',
      name: 'HttpsNotEnforced',
      shortDescription: { text: 'HTTPS not enforced' },
      fullDescription: { text: 'The homepage is served over plain HTTP without a redirect to HTTPS.' },
      defaultConfiguration: { level: 'error' },
      properties: {
        severity: 'high',
        'security-severity': '8.0',
        tags: ['security', 'transport', 'https'],
        'title-zh': '未强制使用 HTTPS',
        'description-zh': '首页可通过明文 HTTP 访问且未跳转到 HTTPS。',
        'remediation-zh': '将所有 HTTP 请求 301 跳转到 HTTPS。',
        reference: '《政府网站发展指引》(国办发〔2017〕47号) 安全防护',
      },
    });
    expect(https?.help?.text).toBe('Redirect all HTTP requests to HTTPS with a 301.\n\nReference: 《政府网站发展指引》(国办发〔2017〕47号) 安全防护');
    expect(https?.help?.markdown).toContain('将所有 HTTP 请求 301 跳转到 HTTPS。');
    expect(https).not.toHaveProperty('helpUri');
    const hsts = rules[0];
    expect(hsts?.defaultConfiguration.level).toBe('warning');
    expect(hsts?.properties?.['security-severity']).toBe('5.5');
    expect(hsts?.helpUri).toBe('https://www.rfc-editor.org/rfc/rfc6797');
    expect(hsts?.help?.markdown).toContain('<https://www.rfc-editor.org/rfc/rfc6797>');
  });

  it('maps severities to levels and security-severity scores', () => {
    const run = makeRun();
    const severities = ['critical', 'high', 'medium', 'low', 'info'] as const;
    run.rules = severities.map((severity) => ({ ...RULE_HSTS, id: `sev.${severity}`, severity }));
    run.findings = severities.map((severity, i) => ({ ...finding(hex(String(i)), RULE_HSTS, YAAN, 'https://www.yaan.gov.cn/', 'homepage', []), ruleId: `sev.${severity}`, severity }));
    const out = toSarif(run).runs[0];
    expect(out?.results.map((r) => [r.properties.severity, r.level])).toEqual([
      ['critical', 'error'],
      ['high', 'error'],
      ['medium', 'warning'],
      ['low', 'note'],
      ['info', 'note'],
    ]);
    expect(Object.fromEntries((out?.tool.driver.rules ?? []).map((r) => [r.id, [r.defaultConfiguration.level, r.properties?.['security-severity']]]))).toEqual({
      'sev.critical': ['error', '9.5'],
      'sev.high': ['error', '8.0'],
      'sev.medium': ['warning', '5.5'],
      'sev.low': ['note', '3.0'],
      'sev.info': ['note', '0.0'],
    });
    expect(validateSarif(JSON.parse(JSON.stringify(toSarif(run))))).toBe(true);
  });

  it('writes one result per finding, sorted, with rule index, message, locations and properties', () => {
    const log = toSarif(makeRun());
    const run = log.runs[0];
    const results = run?.results ?? [];
    expect(results.map((r) => r.partialFingerprints[FINGERPRINT_KEY])).toEqual([hex('c'), hex('b'), hex('a'), hex('d')]);
    const first = results[0];
    expect(first).toEqual({
      ruleId: 'https.not-enforced',
      ruleIndex: 1,
      level: 'error',
      message: { text: 'HTTPS not enforced (未强制使用 HTTPS) — 雅安市人民政府 5118000022: finalUrl: http://www.yaan.gov.cn/' },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: 'http://www.yaan.gov.cn/' } },
          logicalLocations: [{ name: 'homepage', fullyQualifiedName: '5118000022/homepage', kind: 'resource' }],
        },
      ],
      partialFingerprints: { 'govscanFindingId/v1': hex('c') },
      properties: {
        siteCode: '5118000022',
        siteName: '雅安市人民政府',
        severity: 'high',
        evidence: ['finalUrl: http://www.yaan.gov.cn/'],
        observedAt: '2024-05-06T02:00:03.000Z',
        scanner: 'reachability',
      },
    });
    expect(results[1]?.message.text).toBe(
      'HTTPS not enforced (未强制使用 HTTPS) — 雨城区人民政府 5118020001: finalUrl: http://www.yucheng.gov.cn/; status: 200',
    );
    // ruleIndex points at the rule's descriptor.
    for (const r of results) {
      if (r.ruleIndex !== undefined) expect(run?.tool.driver.rules[r.ruleIndex]?.id).toBe(r.ruleId);
    }
    // A finding whose rule is not in run.rules keeps its ruleId but has no ruleIndex; no evidence, no trailing colon.
    const legacy = results[3];
    expect(legacy?.ruleId).toBe('legacy.rule');
    expect(legacy).not.toHaveProperty('ruleIndex');
    expect(legacy?.level).toBe('note');
    expect(legacy?.message.text).toBe('Legacy rule (旧规则) — 雨城区人民政府 5118020001');
  });

  it('carries every finding id as a partial fingerprint, unchanged', () => {
    const run = makeRun();
    const ids = toSarif(run).runs[0]?.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]).sort();
    expect(ids).toEqual(run.findings.map((f) => f.id).sort());
  });

  it('reports error and unknown attempts as notifications of a successful invocation', () => {
    const inv = toSarif(makeRun()).runs[0]?.invocations[0];
    expect(inv?.executionSuccessful).toBe(true);
    expect(inv?.startTimeUtc).toBe('2024-05-06T02:00:00.000Z');
    expect(inv?.endTimeUtc).toBe('2024-05-06T02:00:12.000Z');
    const notes = inv?.toolExecutionNotifications ?? [];
    expect(notes).toHaveLength(2);
    expect(notes.map((n) => [n.descriptor.id, n.level, n.properties.siteCode, n.properties.check])).toEqual([
      ['attempt.unknown', 'note', '5118000022', 'dns.A'],
      ['attempt.error', 'warning', '5118020001', 'http.get'],
    ]);
    expect(notes[0]?.message.text).toBe(
      'Check could not determine its result: 雅安市人民政府 5118000022 — reachability dns.A on www.yaan.gov.cn: EDNSUNKNOWN: resolver SERVFAIL',
    );
    expect(notes[1]?.message.text).toBe(
      'Check failed: 雨城区人民政府 5118020001 — reachability http.get on http://www.yucheng.gov.cn/: ETIMEDOUT: 连接超时 (10000 ms)',
    );
    expect(notes[1]?.timeUtc).toBe('2024-05-06T02:00:01.000Z');
    expect(notes[1]?.properties).toMatchObject({ errorCode: 'ETIMEDOUT', status: 'error', target: 'http://www.yucheng.gov.cn/', durationMs: 10000 });
    // Descriptor references resolve to the driver's notification descriptors.
    const descriptors = toSarif(makeRun()).runs[0]?.tool.driver.notifications ?? [];
    for (const n of notes) expect(descriptors[n.descriptor.index]?.id).toBe(n.descriptor.id);
    expect(descriptors.map((d) => [d.id, d.defaultConfiguration.level])).toEqual([
      ['attempt.error', 'warning'],
      ['attempt.unknown', 'note'],
    ]);
  });
});

describe('helpers', () => {
  it('ruleName turns ids into PascalCase names', () => {
    expect(ruleName('https.not-enforced')).toBe('HttpsNotEnforced');
    expect(ruleName('tls.cert_expired')).toBe('TlsCertExpired');
    expect(ruleName('--')).toBe('--');
  });

  it('targetUri only percent-encodes what URIs cannot hold', () => {
    expect(targetUri('https://www.yaan.gov.cn/a?b=1&c=%20#x')).toBe('https://www.yaan.gov.cn/a?b=1&c=%20#x');
    expect(targetUri('www.yaan.gov.cn')).toBe('www.yaan.gov.cn');
    expect(targetUri('http://例子.政务/a b')).toBe('http://%E4%BE%8B%E5%AD%90.%E6%94%BF%E5%8A%A1/a%20b');
  });
});
