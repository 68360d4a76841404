import { censusCells, rulesOf, SEVERITIES, tallyRun, type Rectification, type RunRecord, type ScanRun, type Severity, type SiteJudgement } from '@govscan/core';
import { table } from './text.js';

const SHORT: Record<Severity, string> = { critical: 'C', high: 'H', medium: 'M', low: 'L', info: 'I' };

/**
 * The summary printed after a scan: one row per site, then totals. It renders
 * the judged model (`judgeSites`, `censusCells`): the 存在的突出问题 column is the
 * 汇总表's, word for word.
 */
export function renderSummary(run: ScanRun, judged: readonly SiteJudgement[], rectification?: Rectification, previous?: RunRecord): string {
  const rules = previous ? rulesOf(previous, run) : rulesOf(run);
  const bySite = new Map(rectification?.sites.map((s) => [s.code, s]) ?? []);
  const rows = judged.map((j, i) => {
    const attempts = run.attempts.filter((a) => a.site.code === j.site.code);
    const home = run.observations.find((o) => o.kind === 'reachability.homepage' && o.site.code === j.site.code);
    const homeText = !home
      ? '-'
      : home.facts.loaded === null
        ? `? ${String(home.facts.error)}`
        : home.facts.error
          ? String(home.facts.error)
          : `${String(home.facts.status)} ${String(home.facts.totalMs)}ms`;
    const counts = SEVERITIES.slice().reverse().map((s) => j.problems.reduce((n, p) => n + p.findings.filter((f) => f.severity === s).length, 0));
    const sev = counts.some((n) => n > 0) ? SEVERITIES.slice().reverse().map((s, k) => (counts[k]! > 0 ? `${counts[k]}${SHORT[s]}` : '')).filter(Boolean).join(' ') : '-';
    const grades = j.grades.map((g) => g.value ?? '?').join('/') || '-';
    const bad = attempts.filter((a) => a.status !== 'ok');
    const att = bad.length === 0 ? 'ok' : [...new Set(bad.map((a) => `${a.status}:${a.error?.code ?? '?'}`))].join(' ');
    const cells = censusCells(j, bySite.get(j.site.code), rules);
    return [String(i + 1), j.site.code, j.site.name, homeText, sev, grades, att, cells.problems, ...(rectification ? [cells.rectified || '-'] : [])];
  });
  const t = tallyRun(judged);
  // the grade columns are named by their rules' scanners, in rule order: headers/tls
  const gradeHead = judged[0]?.grades.length ? judged[0].grades.map((g) => g.rule.scanner).join('/') : 'grades';
  const head = ['#', '网站标识码', '网站名称', 'homepage', 'problems', gradeHead, 'checks', '存在的突出问题', ...(rectification ? ['是否完成整改'] : [])];
  const text = table(head, rows, [0, 0, 24, 22, 0, 0, 34, 48, ...(rectification ? [30] : [])]);
  const problemCounts = SEVERITIES.slice().reverse().map((s) => `${judged.reduce((n, j) => n + j.problems.reduce((m, p) => m + p.findings.filter((f) => f.severity === s).length, 0), 0)} ${s}`);
  const statuses = { ok: 0, error: 0, unknown: 0 };
  for (const a of run.attempts) statuses[a.status]++;
  const lines = [
    `${t.sites} sites: ${t.checked} checked completely, ${t.partial} checked in part, ${t.unchecked} not checked${t.reasons.length ? ` (${t.reasons.slice(0, 3).map(([r, n]) => `${r} ×${n}`).join('; ')})` : ''}`,
    `${t.withProblems} sites with problems, ${t.problems} problems (${problemCounts.join(', ')}); ${run.findings.length} findings in all, grades and notes included; checks: ${statuses.ok} ok, ${statuses.error} error, ${statuses.unknown} unknown`,
  ];
  if (rectification) {
    const r = rectification.totals;
    lines.push(`是否完成整改: ${r.previous} problems before: ${r.fixed} fixed, ${r.persisting} persisting, ${r.unverified} could not be verified; ${r.new} new`);
  }
  if (t.partial + t.unchecked > 0) lines.push('incomplete: sites not fully checked are never 无; exit code 4 unless --fail-on decided 1');
  return `${text}\n\n${lines.join('\n')}\n`;
}
