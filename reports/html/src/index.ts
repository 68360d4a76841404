/**
 * `report.html`: the report a person reads in a browser. One self-contained
 * file — inline CSS, one inline script allowed by its hash in a
 * Content-Security-Policy, an inline SVG chart, no request to anywhere — with
 * overview counts, a table of sites with grades and problems, each site's
 * findings with their evidence and the checks that did not run, and filters
 * by severity and scanner. Every scanned text is escaped; the policy would
 * stop a script that slipped through all the same.
 */
import { createHash } from 'node:crypto';
import {
  ATTEMPT_STATUSES,
  censusCells,
  compareRuns,
  DEFAULT_PROBLEM_SEVERITY,
  rulesOf,
  describeReason,
  judgeSites,
  SEVERITIES,
  SITE_STATE_ZH,
  tallyRun,
  type Attempt,
  type Finding,
  type Reporter,
  type ReportOptions,
  type RuleInfo,
  type RuleFindings,
  type ScanRun,
  type Severity,
  type SiteJudgement,
  type SiteState,
} from '@govscan/core';
import { escapeHtml as e } from '@govscan/report-census';

export const SEVERITY_ZH: Record<Severity, string> = { critical: '严重', high: '高', medium: '中', low: '低', info: '提示' };
const SEVERITY_COLOR: Record<Severity, string> = { critical: '#7b1fa2', high: '#c62828', medium: '#ef6c00', low: '#f9a825', info: '#1976d2' };

/** What a site's state cell says, and why. */
const STATE_TITLE: Record<SiteState, string> = {
  problems: '存在突出问题，需整改',
  clean: '全部检查项目均已完成，未发现问题',
  partial: '已检查项目未发现问题，但有项目未能检查（不视为通过）',
  unchecked: '本次未能检查（不视为通过）',
};

// The one script of the page: filters. It reads only the page's own controls and data attributes.
const SCRIPT = `(function(){
var boxes=document.querySelectorAll('input[data-filter]');
var onlyProblems=document.getElementById('only-problems');
function apply(){
var sev={},sc={};
boxes.forEach(function(b){(b.dataset.filter==='severity'?sev:sc)[b.value]=b.checked;});
var shown=0;
document.querySelectorAll('.finding').forEach(function(f){var v=sev[f.dataset.severity]!==false&&sc[f.dataset.scanner]!==false;f.hidden=!v;if(v&&f.classList.contains('detail-finding'))shown++;});
document.querySelectorAll('[data-site]').forEach(function(row){var total=Number(row.dataset.findings);var vis=row.querySelectorAll('.finding:not([hidden])').length;var c=row.querySelector('.count');if(c)c.textContent=String(vis);row.hidden=onlyProblems.checked&&vis===0;if(total>0&&vis===0&&!onlyProblems.checked)row.classList.add('filtered');else row.classList.remove('filtered');});
document.getElementById('shown').textContent=String(shown);
}
boxes.forEach(function(b){b.addEventListener('change',apply);});
onlyProblems.addEventListener('change',apply);
apply();
document.documentElement.dataset.ready='1';
})();`;

const CSS = `:root{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;font-size:14px;color:#222}
body{margin:0 auto;max-width:1200px;padding:1em 2em}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.6em 0 .5em;border-bottom:2px solid #ddd}
.meta{color:#555}.cards{display:flex;flex-wrap:wrap;gap:.6em}.card{border:1px solid #ddd;border-radius:6px;padding:.5em 1em;min-width:7em}
.card b{display:block;font-size:1.6em}.sev{display:inline-block;border-radius:3px;color:#fff;padding:0 .4em;font-size:.85em}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e3e3e3;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f6f6f6}.grade{font-weight:bold;font-size:1.2em;text-align:center}.grade-A{color:#2e7d32}.grade-B{color:#9e9d24}.grade-C{color:#ef6c00}.grade-D{color:#c62828}.grade-F{color:#7b1fa2}.grade-\\?{color:#777}
ul.problems{margin:0;padding-left:1.1em}.filters{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:.5em 0;z-index:1}
.filters label{margin-right:1em;white-space:nowrap}details{border:1px solid #e3e3e3;border-radius:6px;margin:.5em 0;padding:.4em .8em}
summary{cursor:pointer;font-weight:bold}.evidence{font-family:ui-monospace,Consolas,monospace;font-size:.85em;white-space:pre-wrap;word-break:break-all;background:#fafafa;margin:.3em 0;padding:.3em .6em}
.target{word-break:break-all;color:#444}.filtered{opacity:.45}.attempt-error{color:#c62828}.attempt-unknown{color:#6d4c41}
.muted{color:#777}.state{font-weight:bold;white-space:nowrap}.state-problems{color:#c62828}.state-clean{color:#2e7d32}.state-partial{color:#8d6e00;background:#fff2cc}.state-unchecked{color:#555;background:#e0e0e0}
.badge{display:inline-block;border:1px solid #999;border-radius:3px;padding:0 .35em;margin-right:.3em;font-size:.85em;white-space:nowrap}`;

function sevBadge(s: Severity): string {
  return `<span class="sev" style="background:${SEVERITY_COLOR[s]}">${e(SEVERITY_ZH[s])}</span>`;
}

/** A horizontal bar chart of 突出问题 by rule, bars in the colour of the rule's severity. */
function chart(findings: readonly Finding[], rules: Map<string, RuleInfo>): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  const rows = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 15);
  if (rows.length === 0) return '<p class="muted">本次检查未发现突出问题。</p>';
  const max = Math.max(...rows.map((r) => r[1]));
  const barH = 22;
  const labelW = 230;
  const width = 760;
  const bars = rows
    .map(([id, n], i) => {
      const rule = rules.get(id);
      const sev = (rule?.severity ?? 'info') as Severity;
      const w = Math.max(2, Math.round(((width - labelW - 60) * n) / max));
      const y = i * (barH + 6);
      const label = rule?.title.zh ?? id;
      return `<g><title>${e(`${label}（${id}）：${n}`)}</title><text x="${labelW - 8}" y="${y + 16}" text-anchor="end">${e(label)}</text><rect x="${labelW}" y="${y}" width="${w}" height="${barH}" fill="${SEVERITY_COLOR[sev]}"></rect><text x="${labelW + w + 6}" y="${y + 16}">${n}</text></g>`;
    })
    .join('');
  const height = rows.length * (barH + 6);
  return `<svg id="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="按问题类别统计的问题数" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="13">${bars}</svg>`;
}

function gradeBadges(j: SiteJudgement): string {
  return j.grades.map((g) => `<span class="badge grade-badge" data-rule="${e(g.rule.id)}" title="${e(g.rule.title.zh)}">${e(g.rule.title.zh.replace(/评级|评分/g, ''))} ${e(g.value ?? '?')}</span>`).join('');
}

/** The whole page: the judged model of the run (`judgeSites`), nothing judged here. */
export function renderHtmlReport(run: ScanRun, options: ReportOptions = {}): string {
  const problemSeverity = options.problemSeverity ?? DEFAULT_PROBLEM_SEVERITY;
  const rules = new Map<string, RuleInfo>(run.rules.map((r) => [r.id, r]));
  const judged = judgeSites(run, { problemSeverity });
  const rectification = options.previous ? new Map(compareRuns(options.previous, run, { problemSeverity }).sites.map((x) => [x.code, x])) : null;
  const ruleInfo = options.previous ? rulesOf(options.previous, run) : rulesOf(run);
  const tally = tallyRun(judged);
  const attemptsBySite = new Map<string, Attempt[]>();
  for (const a of run.attempts) attemptsBySite.set(a.site.code, [...(attemptsBySite.get(a.site.code) ?? []), a]);
  const problemFindings = judged.flatMap((j) => j.problems.flatMap((p) => p.findings));
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, problemFindings.filter((f) => f.severity === s).length])) as Record<Severity, number>;
  const byStatus = Object.fromEntries(ATTEMPT_STATUSES.map((s) => [s, run.attempts.filter((a) => a.status === s).length])) as Record<Attempt['status'], number>;
  const scanners = [...new Set([...run.scanners, ...run.findings.map((f) => f.scanner)])];
  const severitiesDesc = [...SEVERITIES].reverse();
  const urls = new Map(run.sites.map((s) => [s.code, s.urls[0] ?? '']));

  const findingItem = (p: RuleFindings, cls: string): string =>
    `<li class="finding ${cls}" data-severity="${e(p.rule.severity)}" data-scanner="${e(p.rule.scanner)}">${sevBadge(p.rule.severity)} ${e(p.rule.title.zh)}${p.findings.length > 1 ? ` <span class="muted">×${p.findings.length}</span>` : ''}</li>`;

  const siteRows = judged
    .map((j, i) => {
      const as = attemptsBySite.get(j.site.code) ?? [];
      const bad = as.filter((a) => a.status !== 'ok');
      const checks = `${as.length - bad.length} 项完成${bad.length ? `，<span class="attempt-error">${as.filter((a) => a.status === 'error').length} 项失败</span>，<span class="attempt-unknown">${as.filter((a) => a.status === 'unknown').length} 项无法确定</span>` : ''}`;
      const count = j.problems.reduce((n, p) => n + p.findings.length, 0);
      const cells = censusCells(j, rectification?.get(j.site.code), ruleInfo);
      return `<tr data-site="${e(j.site.code)}" data-findings="${count}" data-state="${j.state}"><td>${i + 1}</td><td><a href="#site-${e(j.site.code)}">${e(j.site.name)}</a><div class="muted">${e(urls.get(j.site.code) ?? '')}</div></td><td>${e(j.site.code)}</td><td class="state state-${j.state}" title="${e(STATE_TITLE[j.state])}">${e(SITE_STATE_ZH[j.state])}</td><td>${gradeBadges(j)}</td><td class="count">${count}</td><td class="problems-text">${e(cells.problems)}<ul class="problems">${j.problems.map((p) => findingItem(p, 'row-finding')).join('')}</ul></td>${rectification ? `<td class="rectified">${e(cells.rectified)}</td>` : ''}<td>${checks}</td></tr>`;
    })
    .join('\n');

  const details = judged
    .map((j) => {
      const bad = (attemptsBySite.get(j.site.code) ?? []).filter((a) => a.status !== 'ok');
      const notes = [...j.minor, ...j.facts];
      if (j.problems.length === 0 && notes.length === 0 && j.undetermined.length === 0 && bad.length === 0) return '';
      const item = (p: RuleFindings, f: Finding, cls = 'detail-finding'): string => `<li class="finding ${cls}" data-severity="${e(f.severity)}" data-scanner="${e(f.scanner)}">${sevBadge(f.severity)} <b>${e(f.title.zh)}</b> <span class="muted">${e(f.ruleId)} · ${e(f.scanner)} · ${e(f.id)}${f.occurrences > 1 ? ` · ${f.occurrences} 处` : ''}</span>
<div class="target">${e(f.target)}${f.locator ? ` <span class="muted">(${e(f.locator)})</span>` : ''}</div>
<div class="evidence">${f.evidence.map((x) => e(x)).join('\n')}</div>${p.rule.kind === 'problem' ? `<div><b>整改建议：</b>${e(p.rule.remediation.zh)}</div>` : ''}</li>`;
      const problems = j.problems.flatMap((p) => p.findings.map((f) => item(p, f))).join('\n');
      const noteList = notes.length ? `<p><b>提示与事实</b>（不计为问题）：</p><ul class="notes">${notes.flatMap((p) => p.findings.map((f) => item(p, f, 'note-finding'))).join('\n')}</ul>` : '';
      const undetermined = j.undetermined.length
        ? `<p><b>未能检查的项目</b>（不视为通过）：</p><ul class="undetermined">${j.undetermined.map((u) => `<li>${e(u.rule.title.zh)}：${e(describeReason(u.reason))} <span class="muted">${e(u.reason.code)} ${e(u.reason.message)}</span></li>`).join('')}</ul>`
        : '';
      const attempts = bad.length
        ? `<p><b>未完成的检查</b>（不视为通过）：</p><table><tr><th>检查</th><th>对象</th><th>状态</th><th>原因</th></tr>${bad.map((a) => `<tr class="attempt-${e(a.status)}"><td>${e(a.scanner)} ${e(a.check)}</td><td class="target">${e(a.target)}</td><td>${a.status === 'error' ? '失败' : '无法确定'}</td><td>${e(a.error ? `${a.error.code} ${a.error.message}` : '')}</td></tr>`).join('')}</table>`
        : '';
      const count = j.problems.reduce((n, p) => n + p.findings.length, 0);
      return `<details id="site-${e(j.site.code)}" data-site="${e(j.site.code)}" data-findings="${count}" data-state="${j.state}"${count || j.undetermined.length ? ' open' : ''}><summary>${e(j.site.name)}（${e(j.site.code)}）：<span class="state state-${j.state}">${e(SITE_STATE_ZH[j.state])}</span>，<span class="count">${count}</span> 个问题${j.undetermined.length ? `，${j.undetermined.length} 项未能检查` : ''} ${gradeBadges(j)}</summary><ul>${problems}</ul>${noteList}${undetermined}${attempts}</details>`;
    })
    .filter(Boolean)
    .join('\n');

  const scriptHash = createHash('sha256').update(SCRIPT).digest('base64');
  const title = `${run.registry.title ?? '政府网站'} 检查报告`;
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${e(title)}</h1>
<p class="meta">${e(run.tool.name)} ${e(run.tool.version)} · 检查开始 ${e(run.startedAt)} · 结束 ${e(run.finishedAt)} · 名录 ${e(run.registry.file)} · 检查项目 ${e(run.scanners.join('、'))}</p>

<h2>总体情况</h2>
<div class="cards" id="overview">
<div class="card"><b id="count-sites">${run.sites.length}</b>网站</div>
<div class="card"><b id="count-problem-sites">${tally.withProblems}</b>有问题的网站</div>
<div class="card"><b id="count-checked">${tally.checked}</b>全部检查完成</div>
<div class="card state-partial"><b id="count-partial">${tally.partial}</b>部分未能检查</div>
<div class="card state-unchecked"><b id="count-unchecked">${tally.unchecked}</b>未能检查</div>
<div class="card"><b id="count-findings">${tally.problems}</b>突出问题</div>
${severitiesDesc.map((s) => `<div class="card"><b id="count-${s}">${bySeverity[s]}</b>${sevBadge(s)}</div>`).join('\n')}
<div class="card"><b id="count-ok">${byStatus.ok}</b>检查完成</div>
<div class="card"><b id="count-error">${byStatus.error}</b>检查失败</div>
<div class="card"><b id="count-unknown">${byStatus.unknown}</b>无法确定</div>
</div>

<h2>问题类别</h2>
${chart(problemFindings, rules)}

<div class="filters" id="filters">
<b>筛选：</b>
${severitiesDesc.map((s) => `<label><input type="checkbox" id="f-severity-${s}" data-filter="severity" value="${s}" checked> ${e(SEVERITY_ZH[s])}</label>`).join('')}
｜ ${scanners.map((s) => `<label><input type="checkbox" id="f-scanner-${e(s)}" data-filter="scanner" value="${e(s)}" checked> ${e(s)}</label>`).join('')}
｜ <label><input type="checkbox" id="only-problems"> 只看有问题的网站</label>
｜ 显示 <b id="shown">${tally.problems}</b> / ${tally.problems} 个问题
</div>

<h2>网站</h2>
<table id="sites">
<thead><tr><th>#</th><th>网站名称</th><th>网站标识码</th><th>状态</th><th>评级</th><th>问题数</th><th>存在的突出问题</th>${rectification ? '<th>是否完成整改</th>' : ''}<th>检查</th></tr></thead>
<tbody>
${siteRows}
</tbody>
</table>

<h2>各网站详情</h2>
<div id="details">
${details || '<p class="muted">没有问题，也没有未完成的检查。</p>'}
</div>

<p class="muted">状态：有问题（存在${e(SEVERITY_ZH[problemSeverity])}及以上的突出问题，或普查指标问题）；无问题（全部检查项目均已完成且未发现问题）；部分未能检查、未能检查（不视为通过）。评级（TLS、安全响应头）单独显示，不计为问题；? 表示未能评级。</p>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** `--format html`: `report.html`. */
export const htmlReporter: Reporter = {
  id: 'html',
  fileName: 'report.html',
  render: (run, options) => renderHtmlReport(run, options),
};
