import { describe, expect, it } from 'vitest';
import { findingFingerprint, type Rule, type ScanRun } from '@govscan/core';
import { sampleFinding, sampleRules, sampleScanRun, sampleSites } from '@govscan/core/testing';
import { FINGERPRINT_KEY, ruleName, sarifReporter, targetUri, toSarif } from './index.js';
import { sarifSchemaErrors } from './validate.js';

// ---------------------------------------------------------------------------
// Fixture: core's sample run over two Ya'an sites, with two SARIF-specific tweaks.

const { yaan: YAAN, yucheng: YUCHENG } = sampleSites;
const { httpsNotEnforced: RULE_HTTPS, hstsMissing: RULE_HSTS } = sampleRules;
/** A rule the run did not load. */
const RULE_LEGACY: Rule = { ...sampleRules.slow, id: 'legacy.rule', title: { zh: '旧规则', en: 'Legacy rule' } };

function makeRun(): ScanRun {
  const run = sampleScanRun();
  // A repeated tag, which the rule descriptor lists once.
  run.rules = run.rules.map((r) => (r.id === RULE_HTTPS.id ? { ...r, tags: [...(r.tags ?? []), 'transport'] } : r));
  // Low severity, no evidence, from a rule this run did not load: still a valid result, without ruleIndex.
  run.findings.push(sampleFinding(RULE_LEGACY, YUCHENG, 'https://yucheng.gov.cn/'));
  return run;
}

// ---------------------------------------------------------------------------

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
    expect(sarifSchemaErrors(sarifJson())).toEqual([]);
  });

  it('accepts an empty run', () => {
    const run = makeRun();
    run.findings = [];
    run.attempts = [];
    run.rules = [];
    delete run.registry.title;
    expect(sarifSchemaErrors(sarifJson(run))).toEqual([]);
  });

  it('accepts non-ASCII targets, percent-encoded', () => {
    const run = makeRun();
    run.findings.push(sampleFinding(RULE_HTTPS, YAAN, 'http://雅安市人民政府.政务/政务公开/'));
    const log = sarifJson(run);
    expect(sarifSchemaErrors(log)).toEqual([]);
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
      expect(sarifSchemaErrors(log)).toEqual([]);
      breakIt(log);
      expect(sarifSchemaErrors(log).length).toBeGreaterThan(0);
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
    expect(rules.map((r) => r.id)).toEqual(['census.slow', 'dns.caa-missing', 'headers.hsts-missing', 'https.not-enforced']);
    const https = rules[3];
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
    const hsts = rules[2];
    expect(hsts?.defaultConfiguration.level).toBe('warning');
    expect(hsts?.properties?.['security-severity']).toBe('5.5');
    expect(hsts?.helpUri).toBe('https://www.rfc-editor.org/rfc/rfc6797');
    expect(hsts?.help?.markdown).toContain('<https://www.rfc-editor.org/rfc/rfc6797>');
  });

  it('maps severities to levels and security-severity scores', () => {
    const run = makeRun();
    const severities = ['critical', 'high', 'medium', 'low', 'info'] as const;
    run.rules = severities.map((severity) => ({ ...RULE_HSTS, id: `sev.${severity}`, severity }));
    run.findings = run.rules.map((rule) => sampleFinding(rule, YAAN, 'https://www.yaan.gov.cn/'));
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
    expect(sarifSchemaErrors(JSON.parse(JSON.stringify(toSarif(run))))).toEqual([]);
  });

  it('writes one result per finding, sorted, with rule index, message, locations and properties', () => {
    const log = toSarif(makeRun());
    const run = log.runs[0];
    const results = run?.results ?? [];
    expect(results.map((r) => [r.ruleId, r.properties.siteCode, r.locations[0]?.physicalLocation.artifactLocation.uri])).toEqual([
      ['https.not-enforced', YAAN.code, 'http://www.yaan.gov.cn/'],
      ['https.not-enforced', YAAN.code, 'http://www.yaan.gov.cn/zwgk/'],
      ['https.not-enforced', YUCHENG.code, 'http://www.yucheng.gov.cn/'],
      ['headers.hsts-missing', YAAN.code, 'https://www.yaan.gov.cn/'],
      ['census.slow', YUCHENG.code, 'https://yucheng.gov.cn/'],
      ['legacy.rule', YUCHENG.code, 'https://yucheng.gov.cn/'],
    ]);
    const first = results[0];
    expect(first).toEqual({
      ruleId: 'https.not-enforced',
      kind: 'fail',
      ruleIndex: 3,
      level: 'error',
      message: { text: 'HTTPS not enforced (未强制使用 HTTPS) — 雅安市人民政府 5118000022: finalUrl: http://www.yaan.gov.cn/' },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: 'http://www.yaan.gov.cn/' } },
          logicalLocations: [{ name: 'homepage', fullyQualifiedName: '5118000022/homepage', kind: 'resource' }],
        },
      ],
      partialFingerprints: { 'govscanFindingId/v1': findingFingerprint('https.not-enforced', YAAN.code, 'http://www.yaan.gov.cn/', 'homepage') },
      properties: {
        siteCode: '5118000022',
        siteName: '雅安市人民政府',
        severity: 'high',
        evidence: ['finalUrl: http://www.yaan.gov.cn/'],
        observedAt: '2024-05-06T02:00:03.000Z',
        scanner: 'reachability',
      },
    });
    expect(results[2]?.message.text).toBe(
      'HTTPS not enforced (未强制使用 HTTPS) — 雨城区人民政府 5118020001: finalUrl: http://www.yucheng.gov.cn/; status: 200',
    );
    // ruleIndex points at the rule's descriptor.
    for (const r of results) {
      if (r.ruleIndex !== undefined) expect(run?.tool.driver.rules[r.ruleIndex]?.id).toBe(r.ruleId);
    }
    // A finding whose rule is not in run.rules keeps its ruleId but has no ruleIndex; no evidence, no trailing colon.
    const legacy = results[5];
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
