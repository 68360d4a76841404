/**
 * 是否完成整改, the one definition: per site, the 突出问题 of the earlier run
 * set against the verdicts of the later one. A problem is fixed only when the
 * later run cleared it, persisting when it fired again, unverified when the
 * later run could not decide it. 是: every earlier problem is fixed; 否: one
 * persists; 未能核实: none persists, but one could not be verified.
 */
import { groupByRule, judgeSites, problemsPhrase, problemsText, type JudgeOptions, type SiteJudgement } from './site.js';
import type { Finding, RuleInfo, RunRecord, Verdict } from './types.js';

export type RectifiedMark = '是' | '否' | '未能核实' | '';

export interface SiteRectification {
  code: string;
  name: string;
  /** The 突出问题 findings of the earlier run. */
  previous: Finding[];
  fixed: Finding[];
  persisting: Finding[];
  /** The later run could not decide them (the check did not complete, a fact was unknown, the rule was not run). */
  unverified: Finding[];
  /** 突出问题 findings of the later run that the earlier run did not have. */
  new: Finding[];
  mark: RectifiedMark;
}

export interface Rectification {
  previous: { startedAt: string; source?: string };
  current: { startedAt: string; source?: string };
  sites: SiteRectification[];
  totals: { previous: number; fixed: number; persisting: number; unverified: number; new: number };
}

/** The state of one earlier finding in the later run. */
export function findingOutcome(f: Finding, currentIds: ReadonlySet<string>, verdict: Verdict | undefined): 'persisting' | 'fixed' | 'unverified' {
  if (currentIds.has(f.id)) return 'persisting';
  if (!verdict) return 'unverified';
  if (verdict.undetermined.includes(f.id)) return 'unverified';
  if (verdict.cleared.includes(f.id)) return 'fixed';
  // Its observation is gone (the broken link was removed): fixed only when every check of that kind completed.
  return verdict.complete ? 'fixed' : 'unverified';
}

export function compareRuns(previous: RunRecord, current: RunRecord, options: JudgeOptions = {}): Rectification {
  const before = new Map(judgeSites(previous, options).map((j) => [j.site.code, j]));
  const after = judgeSites(current, options);
  const currentIds = new Set(current.findings.map((f) => f.id));
  const verdicts = new Map(current.verdicts.map((v) => [`${v.site}\x1f${v.ruleId}`, v]));
  const sites: SiteRectification[] = after.map((j) => {
    const prev = (before.get(j.site.code)?.problems ?? []).flatMap((p) => p.findings);
    const prevIds = new Set(prev.map((f) => f.id));
    const r: SiteRectification = { code: j.site.code, name: j.site.name, previous: prev, fixed: [], persisting: [], unverified: [], new: [], mark: '' };
    for (const f of prev) r[findingOutcome(f, currentIds, verdicts.get(`${f.site.code}\x1f${f.ruleId}`))].push(f);
    r.new = j.problems.flatMap((p) => p.findings).filter((f) => !prevIds.has(f.id));
    r.mark = prev.length === 0 ? '' : r.persisting.length > 0 ? '否' : r.unverified.length > 0 ? '未能核实' : '是';
    return r;
  });
  const sum = (k: 'previous' | 'fixed' | 'persisting' | 'unverified' | 'new'): number => sites.reduce((n, s) => n + s[k].length, 0);
  return {
    previous: { startedAt: previous.startedAt, ...(previous.source ? { source: previous.source } : {}) },
    current: { startedAt: current.startedAt, ...(current.source ? { source: current.source } : {}) },
    sites,
    totals: { previous: sum('previous'), fixed: sum('fixed'), persisting: sum('persisting'), unverified: sum('unverified'), new: sum('new') },
  };
}

/** The rules of two runs by id, the later run's wording first. */
export function rulesOf(...runs: Pick<RunRecord, 'rules'>[]): Map<string, RuleInfo> {
  const map = new Map<string, RuleInfo>();
  for (const run of [...runs].reverse()) for (const r of run.rules) if (!map.has(r.id)) map.set(r.id, r);
  return map;
}

/**
 * The two cells of a site's 汇总表 row, which every output repeats: 存在的突出问题
 * and 是否完成整改. Without an earlier run: the problems found (无 only when
 * everything in scope was cleared), 是否完成整改 empty. With one: the problems
 * the earlier run found (those rectified), the new ones after them, and the
 * mark with what remains or could not be verified.
 */
export function censusCells(j: SiteJudgement, r: SiteRectification | undefined, rules: ReadonlyMap<string, RuleInfo>): { problems: string; rectified: string } {
  if (!r) return { problems: problemsText(j), rectified: '' };
  if (r.previous.length === 0) return { problems: j.state === 'problems' ? `新发现：${problemsText(j)}` : problemsText(j), rectified: '' };
  const phrase = (fs: Finding[]): string => problemsPhrase(groupByRule(fs, rules));
  const fresh = phrase(r.new);
  const problems = `${phrase(r.previous)}${fresh ? `；新发现：${fresh}` : ''}`;
  if (r.mark === '否') return { problems, rectified: `否（未整改：${phrase(r.persisting)}）` };
  if (r.mark === '未能核实') return { problems, rectified: `未能核实（本次未能检查：${phrase(r.unverified)}${j.reason ? `；${j.reason}` : ''}）` };
  return { problems, rectified: r.mark };
}
