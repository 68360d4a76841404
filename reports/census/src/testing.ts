/**
 * Test fixtures: census runs over three Ya'an sites built from census
 * observations and the shipped rules, an earlier quarter and a later one.
 */
import { compareFindings, judgeRun, loadRules, siteOrder, type Attempt, type Fact, type Observation, type Rule, type ScanRun, type Site } from '@govscan/core';

export const SAMPLE_SITES: Site[] = [
  { code: '5118000022', name: '雅安市人民政府', unit: '雅安市人民政府办公室', kind: 'portal', division: '511800', urls: ['https://www.yaan.gov.cn/'] },
  { code: '5118260001', name: '芦山县人民政府', unit: '芦山县人民政府办公室', kind: 'county-portal', division: '511826', urls: ['https://www.lushan.gov.cn/'] },
  { code: '5118220036', name: '荥经县人民政府', unit: '荥经县人民政府办公室', kind: 'county-portal', division: '511822', urls: ['https://www.yingjing.gov.cn/'] },
];

export type Problem = 'slow' | 'duplicate' | 'broken' | 'staleColumn' | 'brokenImage' | 'hostile';

function obs(site: Site, kind: string, target: string, locator: string, facts: Record<string, Fact>, evidence: string[] = []): Observation {
  return { scanner: 'census', kind, site: { code: site.code, name: site.name }, target, locator, facts, evidence, observedAt: '2018-06-06T04:00:00.000Z' };
}

function siteObservations(site: Site, problems: readonly Problem[], opts: { omitDuplicates?: boolean } = {}): Observation[] {
  const home = site.urls[0]!;
  const out: Observation[] = [
    obs(site, 'census.availability', home, 'homepage', { url: home, probes: 3, successes: 3, failures: 0, failureShare: 0, loaded: true, totalMs: problems.includes('slow') ? 5600 : 80, maxMs: 100 }),
    obs(site, 'census.list', home, 'list', { url: home, role: 'homepage', name: '首页', kind: 'homepage', loaded: true, items: 8, datedItems: 8, undatedItems: 0, latestDate: '2018-06-06', ageDays: 0, contentLinks: 20, contentChars: 500 }),
    obs(site, 'census.list', `${home}col/ywdt/`, 'column', {
      url: `${home}col/ywdt/`, role: 'column', name: problems.includes('hostile') ? '<img src=x onerror="window.__pwned=1">' : '要闻动态', kind: 'dynamic', loaded: true, items: 5, datedItems: 5, undatedItems: 0,
      latestDate: problems.includes('staleColumn') ? '2018-04-01' : '2018-06-05', ageDays: problems.includes('staleColumn') ? 66 : 1, contentLinks: 5, contentChars: 300,
    }),
    obs(site, 'census.link', `${home}art/1.html`, 'link', { url: `${home}art/1.html`, kind: 'link', host: new URL(home).hostname, sameSite: true, registered: true, inContent: true, page: home, status: problems.includes('broken') ? 404 : 200, error: null, errorStatus: 'ok' }, [
      `链接 ${home}art/1.html（位于 ${home}）：HTTP ${problems.includes('broken') ? 404 : 200}`,
    ]),
    obs(site, 'census.link', `${home}images/a.png`, 'image', { url: `${home}images/a.png`, kind: 'image', host: new URL(home).hostname, sameSite: true, registered: true, inContent: true, page: home, status: problems.includes('brokenImage') ? 404 : 200, error: null, errorStatus: 'ok' }),
  ];
  if (!opts.omitDuplicates)
    out.push(
      obs(site, 'census.duplicates', home, 'duplicates', { url: home, duplicates: problems.includes('duplicate') ? 1 : 0, duplicateTitles: problems.includes('duplicate') ? 1 : 0, duplicateArticles: 0 }, problems.includes('duplicate') ? [`「全市防汛减灾工作推进会召开${problems.includes('hostile') ? '<script>window.__pwned=1</script>' : ''}」在 ${home} 的同一列表中出现 2 次`] : []),
    );
  return out;
}

function attempts(site: Site, unknown = false): Attempt[] {
  const a = (check: string, status: Attempt['status'], covers: string[] = []): Attempt => ({ scanner: 'census', site: { code: site.code, name: site.name }, target: site.urls[0]!, check, status, startedAt: '2018-06-06T04:00:00.000Z', durationMs: 10, ...(status !== 'ok' ? { error: { code: 'ETIMEDOUT', message: 'timed out' } } : {}), ...(covers.length ? { covers } : {}) });
  return [a('probe:1', 'ok'), a('homepage', 'ok', ['census.list', 'census.link', 'census.duplicates']), a('articles', unknown ? 'unknown' : 'ok', ['census.duplicates']), a('links', 'ok', ['census.link'])];
}

let rulesCache: Rule[] | undefined;

/** A run of the census rules over the sample sites with the given problems per site code. */
export async function sampleCensusRun(problems: Record<string, readonly Problem[]>, options: { startedAt?: string; omitDuplicatesFor?: string[]; unknownFor?: string[] } = {}): Promise<ScanRun> {
  rulesCache ??= (await loadRules()).filter((r) => r.scanner === 'census');
  const rules = rulesCache;
  const observations = SAMPLE_SITES.flatMap((s) => siteObservations(s, problems[s.code] ?? [], { omitDuplicates: options.omitDuplicatesFor?.includes(s.code) ?? false }));
  const order = siteOrder(SAMPLE_SITES);
  const startedAt = options.startedAt ?? '2018-06-06T04:00:00.000Z';
  const attemptList = SAMPLE_SITES.flatMap((s) => attempts(s, options.unknownFor?.includes(s.code) ?? false));
  const judged = judgeRun({ rules, sites: SAMPLE_SITES, observations, attempts: attemptList, scanners: ['census'] });
  return {
    tool: { name: 'govscan', version: '0.1.0' },
    startedAt,
    finishedAt: startedAt,
    registry: { file: 'registry.yaml', title: '雅安市政府网站名录（2018年第二季度）', sites: SAMPLE_SITES.length },
    scanners: ['census'],
    options: {},
    sites: SAMPLE_SITES,
    rules,
    observations,
    attempts: attemptList,
    findings: judged.findings.sort(compareFindings(order)),
    verdicts: judged.verdicts,
  };
}
