import { describe, expect, it } from 'vitest';
import { judgeRun } from './judge.js';
import { compareRuns } from './rectify.js';
import { evaluate } from './rules.js';
import { describeReason, judgeSites, problemsText, tallyRun } from './site.js';
import type { Attempt, Observation, Rule, RunRecord, SiteRef } from './types.js';

const site: SiteRef = { code: '5118000022', name: '雅安市人民政府' };
const other: SiteRef = { code: '5118260001', name: '芦山县人民政府' };
const base = { description: { zh: '-', en: '-' }, remediation: { zh: '-', en: '-' }, reference: '-', scanner: 'census', source: { file: 't', line: 1 } } as const;
const rules: Rule[] = [
  { ...base, id: 'census.links.broken', title: { zh: '链接无法打开', en: 'broken' }, severity: 'medium', observation: 'census.link', kind: 'problem', census: { phrase: '链接无法打开', detail: 'count' }, match: { all: [{ fact: 'errorStatus', equals: 'ok' }, { fact: 'status', gt: 399 }] }, evidence: ['url'] },
  { ...base, id: 'census.slow', title: { zh: '网站首页访问速度较慢', en: 'slow' }, severity: 'low', observation: 'census.availability', kind: 'problem', census: { phrase: '网站速度较慢' }, match: { fact: 'totalMs', gt: 5000 } },
  { ...base, id: 'census.note', title: { zh: '提示', en: 'note' }, severity: 'info', observation: 'census.availability', kind: 'problem', match: { fact: 'totalMs', gt: 100 } },
  { ...base, id: 'census.grade', title: { zh: '评级', en: 'grade' }, severity: 'info', observation: 'census.availability', kind: 'grade', grade: { fact: 'grade', order: ['A', 'B', 'C'] }, match: { fact: 'grade', missing: false }, evidence: ['grade'] },
];
const obs = (s: SiteRef, kind: string, target: string, facts: Observation['facts']): Observation => ({ scanner: 'census', kind, site: s, target, locator: kind === 'census.link' ? 'link' : 'homepage', facts, observedAt: '2026-12-08T00:00:00.000Z' });
const attempt = (s: SiteRef, check: string, status: Attempt['status'], covers: string[], code?: string): Attempt => ({ scanner: 'census', site: s, target: 'https://x/', check, status, startedAt: '2026-12-08T00:00:00.000Z', durationMs: 1, covers, ...(code ? { error: { code, message: code } } : {}) });

function run(observations: Observation[], attempts: Attempt[], sites: SiteRef[] = [site]): RunRecord {
  const j = judgeRun({ rules, sites, observations, attempts, scanners: ['census'] });
  return { tool: { name: 'govscan', version: 't' }, startedAt: '2026-12-08T00:00:00.000Z', finishedAt: '2026-12-08T00:00:00.000Z', registry: { file: 'r', sites: sites.length }, scanners: ['census'], options: {}, sites: sites.map((s) => ({ ...s, unit: '-', kind: 'portal', division: s.code.slice(0, 6), urls: ['https://x/'] })), rules, attempts, findings: j.findings, verdicts: j.verdicts };
}

describe('evaluate', () => {
  it('is three-valued: an unknown fact leaves a matcher undecided unless another branch settles it', () => {
    const m = { all: [{ fact: 'role', equals: 'column' }, { fact: 'ageDays', gt: 14 }] };
    expect(evaluate(m, { role: 'column', ageDays: 20 })).toBe(true);
    expect(evaluate(m, { role: 'column', ageDays: 3 })).toBe(false);
    expect(evaluate(m, { role: 'column', ageDays: null })).toBeNull();
    expect(evaluate(m, { role: 'homepage', ageDays: null })).toBe(false);
    expect(evaluate({ any: [{ fact: 'x', equals: true }, { fact: 'y', equals: true }] }, { x: null, y: true })).toBe(true);
    expect(evaluate({ not: { fact: 'x', lt: 1 } }, { x: null })).toBeNull();
    expect(evaluate({ fact: 'x', missing: true }, {})).toBe(true);
    expect(evaluate({ fact: 'x', equals: null }, { x: null })).toBe(true);
  });
});

describe('judgeRun: one verdict per site and rule', () => {
  it('finding, cleared, and undetermined when a covering check did not complete', () => {
    const r = run(
      [obs(site, 'census.link', 'https://x/a', { errorStatus: 'ok', status: 404, url: 'https://x/a' }), obs(site, 'census.availability', 'https://x/', { totalMs: 80, grade: 'B' })],
      [attempt(site, 'links', 'ok', ['census.link'])],
    );
    const v = Object.fromEntries(r.verdicts.map((x) => [x.ruleId, x.state]));
    expect(v).toEqual({ 'census.links.broken': 'finding', 'census.slow': 'cleared', 'census.note': 'cleared', 'census.grade': 'finding' });
    const dead = run([obs(site, 'census.availability', 'https://x/', { totalMs: null, grade: null })], [attempt(site, 'homepage', 'unknown', ['census.link'], 'EDNSUNKNOWN')]);
    expect(dead.verdicts.map((x) => [x.ruleId, x.state, x.reason?.code])).toEqual([
      ['census.links.broken', 'undetermined', 'EDNSUNKNOWN'],
      ['census.slow', 'undetermined', 'E_FACT_UNKNOWN'],
      ['census.note', 'undetermined', 'E_FACT_UNKNOWN'],
      ['census.grade', 'cleared', undefined],
    ]);
  });

  it('counts nothing observed and nothing covering it as undetermined, and nothing observed with a complete check as cleared', () => {
    const none = run([], []);
    expect(none.verdicts.every((x) => x.state === 'undetermined' && x.reason?.code === 'E_NOT_OBSERVED')).toBe(true);
    const noLinks = run([obs(site, 'census.availability', 'https://x/', { totalMs: 80, grade: 'A' })], [attempt(site, 'links', 'ok', ['census.link'])]);
    expect(noLinks.verdicts.find((x) => x.ruleId === 'census.links.broken')).toMatchObject({ state: 'cleared', complete: true });
  });
});

describe('judgeSites: what every output says of a site', () => {
  it('is 无 only when every rule in scope was cleared; says 未能检查 and why otherwise', () => {
    const clean = judgeSites(run([obs(site, 'census.availability', 'https://x/', { totalMs: 80, grade: 'A' })], [attempt(site, 'links', 'ok', ['census.link'])]))[0]!;
    expect([clean.state, problemsText(clean)]).toEqual(['clean', '无']);
    expect(clean.grades.map((g) => g.value)).toEqual(['A']);
    // one grade rule on two addresses of a host: the site shows the worse
    const two = judgeSites(run([obs(site, 'census.availability', 'https://x/', { totalMs: 80, grade: 'A' }), obs(site, 'census.availability', 'https://x/', { totalMs: 80, grade: 'C' })], [attempt(site, 'links', 'ok', ['census.link'])]))[0]!;
    expect(two.grades.map((g) => g.value)).toEqual(['C']);
    const dead = judgeSites(run([obs(site, 'census.availability', 'https://x/', { totalMs: null, grade: null })], [attempt(site, 'homepage', 'unknown', ['census.link'], 'EDNSUNKNOWN')]))[0]!;
    expect(dead.state).toBe('unchecked');
    expect(problemsText(dead)).toMatch(/^未能检查：/);
    expect(describeReason({ code: 'EDNSUNKNOWN', check: 'homepage', message: '' })).toBe('首页无法访问（DNS 无法解析）');
    // a note (info, no census wording) is not a 突出问题; a grade never is
    const noted = judgeSites(run([obs(site, 'census.availability', 'https://x/', { totalMs: 200, grade: 'C' })], [attempt(site, 'links', 'ok', ['census.link'])]))[0]!;
    expect([noted.state, noted.minor.map((m) => m.rule.id), noted.problems]).toEqual(['clean', ['census.note'], []]);
    expect(judgeSites(run([obs(site, 'census.availability', 'https://x/', { totalMs: 200, grade: 'C' })], [attempt(site, 'links', 'ok', ['census.link'])]), { problemSeverity: 'info' })[0]!.state).toBe('problems');
  });

  it('tallies sites checked, partly checked and not checked', () => {
    const r = run(
      [obs(site, 'census.availability', 'https://x/', { totalMs: 80, grade: 'A' }), obs(other, 'census.availability', 'https://y/', { totalMs: 80, grade: 'A' })],
      [attempt(site, 'links', 'ok', ['census.link']), attempt(other, 'probe:1', 'ok', []), attempt(other, 'links', 'unknown', ['census.link'], 'E_LINKS_LIMIT')],
      [site, other],
    );
    expect(tallyRun(judgeSites(r))).toMatchObject({ sites: 2, checked: 1, partial: 1, unchecked: 0, withProblems: 0 });
    // a site none of whose checks got an answer is not checked, whatever was decided without the network
    const unreached = run([obs(other, 'census.availability', 'https://y/', { totalMs: 80, grade: 'A' })], [attempt(other, 'links', 'unknown', ['census.link'], 'EDNSUNKNOWN')], [other]);
    expect(judgeSites(unreached)[0]!.state).toBe('unchecked');
  });
});

describe('compareRuns: 是否完成整改', () => {
  const q1 = run([obs(site, 'census.link', 'https://x/a', { errorStatus: 'ok', status: 404, url: 'https://x/a' }), obs(site, 'census.availability', 'https://x/', { totalMs: 6000, grade: 'A' })], [attempt(site, 'links', 'ok', ['census.link'])]);
  it('是 when every earlier problem is cleared now — a removed link included, when the link check completed', () => {
    const q2 = run([obs(site, 'census.availability', 'https://x/', { totalMs: 80, grade: 'A' })], [attempt(site, 'links', 'ok', ['census.link'])]);
    expect(compareRuns(q1, q2).sites[0]).toMatchObject({ mark: '是', fixed: [expect.anything(), expect.anything()] });
  });
  it('否 with what persists; 未能核实 when the later run could not decide', () => {
    const persisting = run([obs(site, 'census.link', 'https://x/a', { errorStatus: 'ok', status: 404, url: 'https://x/a' }), obs(site, 'census.availability', 'https://x/', { totalMs: 80, grade: 'A' })], [attempt(site, 'links', 'ok', ['census.link'])]);
    expect(compareRuns(q1, persisting).sites[0]!.mark).toBe('否');
    const dead = run([obs(site, 'census.availability', 'https://x/', { totalMs: null, grade: null })], [attempt(site, 'homepage', 'unknown', ['census.link'], 'EDNSUNKNOWN')]);
    const s = compareRuns(q1, dead).sites[0]!;
    expect([s.mark, s.fixed.length, s.unverified.length]).toEqual(['未能核实', 0, 2]);
  });
});
