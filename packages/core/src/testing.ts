/**
 * Test fixtures shared by the packages' tests (`@govscan/core/testing`).
 * Not for runtime code.
 *
 * `sampleScanRun()` is a small but realistic run over two Ya'an sites: findings
 * of three severities with Chinese titles, attempts that are ok, error and
 * unknown, a loaded rule that matched nothing, and one observation. Finding ids
 * are real fingerprints.
 */
import { findingFingerprint } from './fingerprint.js';
import type { Attempt, Finding, Rule, ScanRun, Site, SiteRef, Verdict } from './types.js';

/** The sites of the sample run, in registry order. Treat as read-only: `sampleScanRun()` hands out copies. */
export const sampleSites: Readonly<Record<'yaan' | 'yucheng', Site>> = {
  yaan: {
    code: '5118000022',
    name: '雅安市人民政府',
    unit: '雅安市人民政府办公室',
    kind: 'portal',
    division: '511800',
    urls: ['https://www.yaan.gov.cn/'],
    icp: '蜀ICP备05005390号-1',
    psb: '川公网安备 51180002000100号',
  },
  yucheng: {
    code: '5118020001',
    name: '雨城区人民政府',
    unit: '雨城区人民政府办公室',
    kind: 'county-portal',
    division: '511802',
    urls: ['http://www.yucheng.gov.cn/', 'https://yucheng.gov.cn/'],
  },
};

/** The rules of the sample run. Treat as read-only: `sampleScanRun()` hands out copies. */
export const sampleRules: Readonly<Record<'httpsNotEnforced' | 'hstsMissing' | 'slow' | 'caaMissing', Rule>> = {
  /** high */
  httpsNotEnforced: {
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
    kind: 'problem',
    source: { file: 'rules/https.yaml', line: 1 },
  },
  /** medium; no tags */
  hstsMissing: {
    id: 'headers.hsts-missing',
    title: { zh: '缺少 HSTS 响应头', en: 'HSTS header missing' },
    severity: 'medium',
    description: { zh: 'HTTPS 响应未包含 Strict-Transport-Security。', en: 'The HTTPS response has no Strict-Transport-Security header.' },
    remediation: { zh: '添加 Strict-Transport-Security: max-age=31536000。', en: 'Send Strict-Transport-Security: max-age=31536000.' },
    reference: 'https://www.rfc-editor.org/rfc/rfc6797',
    scanner: 'reachability',
    observation: 'reachability.homepage',
    match: { fact: 'headers.strict-transport-security', missing: true },
    kind: 'problem',
    source: { file: 'rules/headers.yaml', line: 12 },
  },
  /** low */
  slow: {
    id: 'census.slow',
    title: { zh: '网站首页访问速度较慢', en: 'Homepage slow to load' },
    severity: 'low',
    description: {
      zh: '首页完整加载（含重定向）所用时间超过阈值（默认 5 秒）。',
      en: 'Loading the homepage, redirects included, took longer than the threshold (5 s by default).',
    },
    remediation: { zh: '检查服务器负载、带宽和页面体积。', en: 'Check server load, bandwidth and page weight.' },
    reference: '《政府网站发展指引》（国办发〔2017〕47号）',
    scanner: 'reachability',
    observation: 'reachability.homepage',
    match: { all: [{ fact: 'loaded', equals: true }, { fact: 'totalMs', gt: 5000 }] },
    evidence: ['totalMs'],
    tags: ['census', 'performance'],
    kind: 'problem',
    census: { phrase: '网站速度较慢' },
    source: { file: 'rules/census.yaml', line: 24 },
  },
  /** info; loaded but matches nothing in the sample run */
  caaMissing: {
    id: 'dns.caa-missing',
    title: { zh: '未配置 CAA 记录', en: 'No CAA record' },
    severity: 'info',
    description: { zh: '域名没有 CAA 记录。', en: 'The domain has no CAA record.' },
    remediation: { zh: '添加 CAA 记录。', en: 'Publish a CAA record.' },
    reference: 'RFC 8659',
    scanner: 'dns',
    observation: 'dns.caa',
    match: { fact: 'records', missing: true },
    kind: 'problem',
    source: { file: 'rules/dns.yaml', line: 3 },
  },
};

export const SAMPLE_OBSERVED_AT = '2024-05-06T02:00:03.000Z';

const siteRef = (s: SiteRef): SiteRef => ({ code: s.code, name: s.name });

/** A finding of `rule` on `site`, with its real fingerprint as id. */
export function sampleFinding(rule: Rule, site: SiteRef, target: string, locator = 'homepage', evidence: string[] = []): Finding {
  return {
    id: findingFingerprint(rule.id, site.code, target, locator),
    ruleId: rule.id,
    severity: rule.severity,
    title: { zh: rule.title.zh, en: rule.title.en },
    site: siteRef(site),
    target,
    locator,
    evidence: [...evidence],
    observedAt: SAMPLE_OBSERVED_AT,
    scanner: rule.scanner,
    facts: {},
    occurrences: 1,
  };
}

/**
 * A fresh sample run (deep copies throughout, so a test may mutate it). Its
 * lists are deliberately not in report order. `overrides` replace top-level
 * fields as given.
 */
export function sampleScanRun(overrides: Partial<ScanRun> = {}): ScanRun {
  const { yaan, yucheng } = sampleSites;
  const { httpsNotEnforced, hstsMissing, slow, caaMissing } = sampleRules;
  const findings: Finding[] = [
    sampleFinding(hstsMissing, yaan, 'https://www.yaan.gov.cn/', 'homepage', ['headers.strict-transport-security: null']),
    sampleFinding(httpsNotEnforced, yucheng, 'http://www.yucheng.gov.cn/', 'homepage', ['finalUrl: http://www.yucheng.gov.cn/', 'status: 200']),
    sampleFinding(httpsNotEnforced, yaan, 'http://www.yaan.gov.cn/', 'homepage', ['finalUrl: http://www.yaan.gov.cn/']),
    sampleFinding(slow, yucheng, 'https://yucheng.gov.cn/', 'homepage', ['totalMs: 6120']),
    sampleFinding(httpsNotEnforced, yaan, 'http://www.yaan.gov.cn/zwgk/', 'homepage', ['finalUrl: http://www.yaan.gov.cn/zwgk/']),
  ];
  const attempts: Attempt[] = [
    { scanner: 'reachability', site: siteRef(yucheng), target: 'http://www.yucheng.gov.cn/', check: 'http.get', status: 'error',
      error: { code: 'ETIMEDOUT', message: '连接超时 (10000 ms)' }, startedAt: '2024-05-06T02:00:01.000Z', durationMs: 10000 },
    { scanner: 'tls', site: siteRef(yaan), target: 'www.yaan.gov.cn:443', check: 'tls.handshake', status: 'ok',
      startedAt: '2024-05-06T02:00:02.000Z', durationMs: 85.5 },
    { scanner: 'reachability', site: siteRef(yaan), target: 'https://www.yaan.gov.cn/', check: 'http.get', status: 'ok',
      startedAt: '2024-05-06T02:00:00.500Z', durationMs: 120 },
    { scanner: 'reachability', site: siteRef(yaan), target: 'www.yaan.gov.cn', check: 'dns.A', status: 'unknown',
      error: { code: 'EDNSUNKNOWN', message: 'resolver SERVFAIL' }, startedAt: '2024-05-06T02:00:00.100Z', durationMs: 3000 },
    { scanner: 'reachability', site: siteRef(yucheng), target: 'https://yucheng.gov.cn/', check: 'http.get', status: 'ok',
      startedAt: '2024-05-06T02:00:01.200Z', durationMs: 240 },
  ];
  const run: ScanRun = {
    tool: { name: 'govscan', version: '0.1.0' },
    startedAt: '2024-05-06T02:00:00.000Z',
    finishedAt: '2024-05-06T02:00:12.000Z',
    registry: { file: 'examples/yaan/registry.yaml', title: '雅安市政府网站名录（2018年第二季度）', sites: 41 },
    scanners: ['reachability', 'tls'],
    options: { timeoutMs: 10000, concurrency: 4, only: [yaan.code, yucheng.code], proxy: null },
    sites: structuredClone<Site[]>([yaan, yucheng]),
    rules: structuredClone<Rule[]>([caaMissing, httpsNotEnforced, hstsMissing, slow]),
    observations: [
      { scanner: 'reachability', kind: 'reachability.homepage', site: siteRef(yaan), target: 'https://www.yaan.gov.cn/',
        locator: 'homepage', facts: { status: 200, secretish: 'observation-only' }, observedAt: SAMPLE_OBSERVED_AT },
    ],
    attempts,
    findings,
    verdicts: [],
  };
  // One verdict per site and rule: a finding where the sample has one, the CAA rule undecided on Ya'an (its DNS check was unknown), else cleared.
  run.verdicts = run.sites.flatMap((site) =>
    run.rules.map((rule): Verdict => {
      const ids = findings.filter((f) => f.site.code === site.code && f.ruleId === rule.id).map((f) => f.id).sort();
      const undecided = rule.id === caaMissing.id && site.code === yaan.code;
      return {
        site: site.code,
        ruleId: rule.id,
        state: ids.length ? 'finding' : undecided ? 'undetermined' : 'cleared',
        findings: ids,
        cleared: [],
        undetermined: [],
        complete: !undecided,
        ...(undecided ? { reason: { code: 'EDNSUNKNOWN', check: 'dns.A', message: 'resolver SERVFAIL' } } : {}),
      };
    }),
  );
  return { ...run, ...overrides };
}
