import { SEVERITIES, type ScanRun, type Severity } from '@govscan/core';
import { table } from './text.js';

const SHORT: Record<Severity, string> = { critical: 'C', high: 'H', medium: 'M', low: 'L', info: 'I' };

/** The summary printed after a scan: one row per site, then totals. */
export function renderSummary(run: ScanRun): string {
  const rows = run.sites.map((site, i) => {
    const findings = run.findings.filter((f) => f.site.code === site.code);
    const attempts = run.attempts.filter((a) => a.site.code === site.code);
    const home = run.observations.find((o) => o.kind === 'reachability.homepage' && o.site.code === site.code);
    const homeText = !home
      ? '-'
      : home.facts.loaded === null
        ? `? ${String(home.facts.error)}`
        : home.facts.error
          ? String(home.facts.error)
          : `${String(home.facts.status)} ${String(home.facts.totalMs)}ms`;
    const counts = SEVERITIES.slice().reverse().map((s) => findings.filter((f) => f.severity === s).length);
    const sev = counts.some((n) => n > 0) ? SEVERITIES.slice().reverse().map((s, j) => (counts[j]! > 0 ? `${counts[j]}${SHORT[s]}` : '')).filter(Boolean).join(' ') : '-';
    const bad = attempts.filter((a) => a.status !== 'ok');
    const att = bad.length === 0 ? 'ok' : [...new Set(bad.map((a) => `${a.status}:${a.error?.code ?? '?'}`))].join(' ');
    // The problems column lists what needs fixing: info findings (grades, notes) are left out.
    const problems = [...new Set(findings.filter((f) => f.severity !== 'info').map((f) => f.title.zh))].join('；') || '无';
    return [String(i + 1), site.code, site.name, homeText, sev, att, problems];
  });
  const total = (s: Severity): number => run.findings.filter((f) => f.severity === s).length;
  const statuses = { ok: 0, error: 0, unknown: 0 };
  for (const a of run.attempts) statuses[a.status]++;
  const text = table(['#', '网站标识码', '网站名称', 'homepage', 'findings', 'checks', '存在的突出问题'], rows, [0, 0, 24, 22, 0, 34, 40]);
  const totals =
    `${run.sites.length} sites, ${run.findings.length} findings (` +
    SEVERITIES.slice().reverse().map((s) => `${total(s)} ${s}`).join(', ') +
    `), checks: ${statuses.ok} ok, ${statuses.error} error, ${statuses.unknown} unknown`;
  return `${text}\n\n${totals}\n`;
}
