/**
 * What every output says about a site, from the judged model: its problems
 * (存在的突出问题), its grades, its facts, and what could not be checked. One
 * definition, so the terminal, the 汇总表, the notices, the HTML report and
 * the JSON never disagree.
 */
import { compareText } from './order.js';
import { severityRank } from './judge.js';
import type { Finding, RuleInfo as Rule, RunRecord, Severity, SiteRef, Verdict, VerdictReason } from './types.js';

/** The default lowest severity of a 突出问题 (census indicators are problems whatever their severity). */
export const DEFAULT_PROBLEM_SEVERITY: Severity = 'low';

export interface JudgeOptions {
  /** The lowest severity at which a problem is a 突出问题; default `low`. */
  problemSeverity?: Severity;
}

/** Whether a rule's finding is a 突出问题: a problem at or above the threshold, or a census indicator. */
export function isProblemRule(rule: Pick<Rule, 'kind' | 'census' | 'severity'>, options: JudgeOptions = {}): boolean {
  if (rule.kind !== 'problem') return false;
  return !!rule.census || severityRank(rule.severity) >= severityRank(options.problemSeverity ?? DEFAULT_PROBLEM_SEVERITY);
}

export interface RuleFindings {
  rule: Rule;
  findings: Finding[];
}

export interface SiteGrade {
  rule: Rule;
  /** The worst grade over the rule's findings on the site; null when none could be given. */
  value: string | null;
}

export interface SiteUndetermined {
  rule: Rule;
  reason: VerdictReason;
}

/**
 * `problems`: at least one 突出问题. `clean`: every rule in scope was
 * established and cleared (无). `partial`: no problem among what was checked,
 * but some rules could not be decided. `unchecked`: nothing could be decided.
 */
export type SiteState = 'problems' | 'clean' | 'partial' | 'unchecked';

export interface SiteJudgement {
  site: SiteRef;
  state: SiteState;
  /** 突出问题, most severe first. */
  problems: RuleFindings[];
  /** Problems below the threshold: shown in detail, not listed, no notice. */
  minor: RuleFindings[];
  grades: SiteGrade[];
  /** Rules of kind fact that fired (TLCP supported …). */
  facts: RuleFindings[];
  /** Rules that would be 突出问题 were they to fire, and could not be decided. */
  undetermined: SiteUndetermined[];
  /** How many such rules were decided (fired or cleared). */
  decided: number;
  /** The most common reason of the undetermined rules, in Chinese; null when none. */
  reason: string | null;
}

/** Findings grouped by rule, most severe first; findings of a rule not in `rules` are left out. */
export function groupByRule(findings: readonly Finding[], rules: ReadonlyMap<string, Rule>): RuleFindings[] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) groups.set(f.ruleId, [...(groups.get(f.ruleId) ?? []), f]);
  return [...groups]
    .flatMap(([id, fs]) => {
      const rule = rules.get(id);
      return rule ? [{ rule, findings: fs }] : [];
    })
    .sort((a, b) => severityRank(b.rule.severity) - severityRank(a.rule.severity) || compareText(a.rule.id, b.rule.id));
}

function worstGrade(rule: Rule, findings: readonly Finding[]): string | null {
  const scale = rule.grade;
  if (!scale) return null;
  let worst: string | null = null;
  for (const f of findings) {
    const v = f.facts?.[scale.fact];
    if (typeof v !== 'string') continue;
    if (worst === null || scale.order.indexOf(v) > scale.order.indexOf(worst)) worst = v;
  }
  return worst;
}

/** Judge every site of a run (registry order): problems, grades, facts, what could not be checked. */
export function judgeSites(run: Pick<RunRecord, 'sites' | 'rules' | 'findings' | 'verdicts' | 'attempts'>, options: JudgeOptions = {}): SiteJudgement[] {
  // A site none of whose checks got an answer was not checked, whatever the registry alone allowed to decide.
  const reached = new Set(run.attempts.filter((a) => a.status === 'ok').map((a) => a.site.code));
  const rules = new Map(run.rules.map((r) => [r.id, r]));
  const findingsBySite = new Map<string, Finding[]>();
  for (const f of run.findings) findingsBySite.set(f.site.code, [...(findingsBySite.get(f.site.code) ?? []), f]);
  const verdictsBySite = new Map<string, Verdict[]>();
  for (const v of run.verdicts) verdictsBySite.set(v.site, [...(verdictsBySite.get(v.site) ?? []), v]);
  return run.sites.map((s) => {
    const fs = findingsBySite.get(s.code) ?? [];
    const verdicts = verdictsBySite.get(s.code) ?? [];
    const kindOf = (f: Finding): Rule | undefined => rules.get(f.ruleId);
    const problems = groupByRule(fs.filter((f) => { const r = kindOf(f); return !!r && isProblemRule(r, options); }), rules);
    const minor = groupByRule(fs.filter((f) => { const r = kindOf(f); return !!r && r.kind === 'problem' && !isProblemRule(r, options); }), rules);
    const facts = groupByRule(fs.filter((f) => kindOf(f)?.kind === 'fact'), rules);
    const grades: SiteGrade[] = [];
    const undetermined: SiteUndetermined[] = [];
    let decided = 0;
    for (const v of verdicts) {
      const rule = rules.get(v.ruleId);
      if (!rule) continue;
      if (rule.kind === 'grade') {
        grades.push({ rule, value: v.state === 'finding' ? worstGrade(rule, fs.filter((f) => f.ruleId === rule.id)) : null });
        continue;
      }
      if (!isProblemRule(rule, options)) continue;
      if (v.state === 'undetermined') undetermined.push({ rule, reason: v.reason ?? { code: 'EUNKNOWN', check: '', message: 'not decided' } });
      else decided++;
    }
    const state: SiteState = problems.length > 0 ? 'problems' : undetermined.length === 0 ? 'clean' : decided === 0 || !reached.has(s.code) ? 'unchecked' : 'partial';
    return { site: { code: s.code, name: s.name }, state, problems, minor, grades, facts, undetermined, decided, reason: commonReason(undetermined.map((u) => u.reason)) };
  });
}

// ---------------------------------------------------------------------------
// Reasons in plain Chinese.

/** What could not be done, by the check's name (its prefix before `:` or `@`). */
const CHECK_ZH: Record<string, string> = {
  homepage: '首页无法访问',
  probe: '首页无法访问',
  http: '首页无法访问',
  https: '首页无法访问',
  content: '首页内容未能读取',
  'identity': '首页内容未能读取',
  dns: '域名解析失败',
  'tls': 'TLS 检查未完成',
  links: '部分链接未能检查',
  articles: '部分文章页未能读取',
  column: '栏目页无法访问',
  robots: 'robots.txt 未能读取',
  grade: '未能评分',
  cors: '跨域检查未完成',
  ipv6: 'IPv6 访问检查未完成',
  scan: '检查未完成',
};

/** Why, by the error code. */
const CODE_ZH: Record<string, string> = {
  EDNSUNKNOWN: 'DNS 无法解析',
  SERVFAIL: 'DNS 无法解析',
  TIMEOUT: 'DNS 无法解析',
  REFUSED: 'DNS 无法解析',
  ENOTFOUND: '域名不存在',
  ENOADDRESS: '域名没有地址',
  ETIMEDOUT: '访问超时',
  ECONNREFUSED: '连接被拒绝',
  ECONNRESET: '连接被重置',
  EHTTPPROTO: '服务器应答不符合 HTTP 协议',
  ETLS: 'TLS 握手失败',
  EPOLICY: '地址策略不允许访问',
  E_ABORTED: '检查被中断',
  E_SCANNER_CRASH: '检查程序出错',
  E_BUDGET: '超出时间预算',
  E_HOST_FAILING: '服务器连续访问失败',
  EROBOTS: 'robots.txt 不允许访问',
  E_LINKS_LIMIT: '超出检查数量上限',
  E_LINKS_UNKNOWN: '部分链接无法确定',
  ENOTHTML: '首页不是网页',
  E_NO_PAGE: '首页未能读取',
  E_CA_FILE: '证书信任库无法读取',
  E_FACT_UNKNOWN: '部分检查结果无法确定',
  E_NOT_OBSERVED: '未获得检查数据',
};

/** A reason in plain Chinese: `首页无法访问（DNS 无法解析）`. */
export function describeReason(r: VerdictReason): string {
  if (r.code === 'E_ABORTED') return '检查被中断';
  if (r.code === 'E_SCANNER_CRASH') return '检查程序出错';
  if (r.code === 'E_FACT_UNKNOWN' || r.code === 'E_NOT_OBSERVED') return CODE_ZH[r.code]!;
  const head = r.check.split(/[:@]/)[0] ?? '';
  const what = CHECK_ZH[head] ?? '检查未完成';
  const http = /^HTTP_(\d{3})$/.exec(r.code);
  const why = http ? `返回 HTTP ${http[1]}` : (CODE_ZH[r.code] ?? r.code);
  return `${what}（${why}）`;
}

function commonReason(reasons: readonly VerdictReason[]): string | null {
  if (reasons.length === 0) return null;
  const counts = new Map<string, number>();
  for (const r of reasons) {
    const d = describeReason(r);
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]))[0]![0];
}

// ---------------------------------------------------------------------------
// 存在的突出问题, in words.

function clip(s: string, max = 20): string {
  const t = s.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return [...t].length > max ? `${[...t].slice(0, max - 1).join('')}…` : t;
}

/** How one problem reads in the 汇总表: its census phrase (or title) and the detail its rule asks for. */
export function problemPhrase(p: RuleFindings): string {
  const phrase = p.rule.census?.phrase ?? p.rule.title.zh;
  const wording = p.rule.census;
  if (wording?.detail === 'values' && wording.fact) {
    const values = [...new Set(p.findings.map((f) => f.facts?.[wording.fact!]).filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => clip(v)))];
    return values.length ? `${phrase}（${values.join('、')}）` : phrase;
  }
  if (wording?.detail === 'count' && p.findings.length > 1) return `${phrase}（${p.findings.length}处）`;
  return phrase;
}

/** The phrases of a list of problems, each once, most severe first: `链接无法打开（2处）、栏目更新不及时（要闻动态）`. */
export function problemsPhrase(problems: readonly RuleFindings[]): string {
  return problems.map(problemPhrase).join('、');
}

/** 存在的突出问题 of a site: its problems, 无 only when every rule in scope was cleared, and what could not be checked. */
export function problemsText(j: SiteJudgement): string {
  const n = j.undetermined.length;
  switch (j.state) {
    case 'clean':
      return '无';
    case 'unchecked':
      return `未能检查：${j.reason}`;
    case 'partial':
      return `部分未能检查（${n} 项）：${j.reason}；已完成的 ${j.decided} 项未发现问题`;
    case 'problems':
      return `${problemsPhrase(j.problems)}${n ? `；另有 ${n} 项未能检查：${j.reason}` : ''}`;
  }
}

/** The state of a site in a word or two, for badges and filters. */
export const SITE_STATE_ZH: Record<SiteState, string> = { problems: '有问题', clean: '无问题', partial: '部分未能检查', unchecked: '未能检查' };

export interface RunTally {
  sites: number;
  /** Sites whose every rule in scope was decided. */
  checked: number;
  partial: number;
  unchecked: number;
  /** Sites with a 突出问题. */
  withProblems: number;
  /** 突出问题 findings (one per fingerprint). */
  problems: number;
  /** Reasons of the sites not (fully) checked, most common first: [reason, sites]. */
  reasons: [string, number][];
}

export function tallyRun(judged: readonly SiteJudgement[]): RunTally {
  const reasons = new Map<string, number>();
  for (const j of judged) if (j.reason) reasons.set(j.reason, (reasons.get(j.reason) ?? 0) + 1);
  return {
    sites: judged.length,
    checked: judged.filter((j) => j.undetermined.length === 0).length,
    partial: judged.filter((j) => j.undetermined.length > 0 && j.state !== 'unchecked').length,
    unchecked: judged.filter((j) => j.state === 'unchecked').length,
    withProblems: judged.filter((j) => j.problems.length > 0).length,
    problems: judged.reduce((n, j) => n + j.problems.reduce((m, p) => m + p.findings.length, 0), 0),
    reasons: [...reasons].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0])),
  };
}

/** Whether a run left a site in scope undecided: the exit code 4 (incomplete). */
export function isIncomplete(judged: readonly SiteJudgement[]): boolean {
  return judged.some((j) => j.undetermined.length > 0);
}
