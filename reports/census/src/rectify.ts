/**
 * Quarter-over-quarter rectification (整改核查): the findings of an earlier
 * run compared by fingerprint with a later one. Per site: new findings,
 * fixed ones, persisting ones, and those that could not be verified.
 */
import type { Finding } from '@govscan/core';
import type { CensusRecord } from './record.js';

/** 是: every earlier finding is verified gone; 否: some remain; 未核实: none remain but some could not be checked; '': nothing to rectify. */
export type RectifiedMark = '是' | '否' | '未核实' | '';

export interface SiteRectification {
  code: string;
  name: string;
  /** Findings of the earlier run. */
  previous: Finding[];
  fixed: Finding[];
  persisting: Finding[];
  /** Gone from the findings, but the new run could not establish that (the check did not run, or could not decide). */
  unverified: Finding[];
  /** Findings of the new run that the earlier run did not have. */
  new: Finding[];
  mark: RectifiedMark;
}

export interface Rectification {
  previous: { startedAt: string; source?: string };
  current: { startedAt: string; source?: string };
  sites: SiteRectification[];
  totals: { previous: number; fixed: number; persisting: number; unverified: number; new: number };
}

export interface CompareOptions {
  /** Only findings whose rule passes (default: all). */
  scope?: (f: Finding) => boolean;
}

/**
 * Compare an earlier run with a later one. A finding counts as fixed only
 * when the later run judged it and the rule was definitively not met, or —
 * when its observation is gone altogether (the broken link was removed) —
 * when the later run saw that kind of observation on the site and every
 * check of that scanner on the site ran. With no observations to go on (a
 * run read from findings.json), only the second, coarser test applies.
 */
export function compareRuns(previous: CensusRecord, current: CensusRecord, options: CompareOptions = {}): Rectification {
  const scope = options.scope ?? (() => true);
  const currentIds = new Set(current.findings.map((f) => f.id));
  const previousIds = new Set(previous.findings.map((f) => f.id));
  const cleared = current.cleared ? new Set(current.cleared) : null;
  const undetermined = current.undetermined ? new Set(current.undetermined) : null;
  const observed = current.observed ? new Set(current.observed) : null;
  const ruleKind = new Map(previous.rules.map((r) => [r.id, r.observation]));
  for (const r of current.rules) if (r.observation) ruleKind.set(r.id, r.observation);
  const scanned = new Set(current.sites.map((s) => s.code));
  const allRan = (site: string, scanner: string): boolean => {
    const t = current.attempts.find((a) => a.site === site && a.scanner === scanner);
    return !!t && t.ok > 0 && t.error === 0 && t.unknown === 0;
  };

  const verdict = (f: Finding): 'persisting' | 'fixed' | 'unverified' => {
    if (currentIds.has(f.id)) return 'persisting';
    if (!scanned.has(f.site.code) || !current.scanners.includes(f.scanner)) return 'unverified';
    if (cleared && cleared.has(f.id)) return 'fixed';
    if (undetermined && undetermined.has(f.id)) return 'unverified';
    const kind = ruleKind.get(f.ruleId);
    if (observed && kind) return observed.has(`${f.site.code}\x1f${f.scanner}\x1f${kind}`) && allRan(f.site.code, f.scanner) ? 'fixed' : 'unverified';
    return allRan(f.site.code, f.scanner) ? 'fixed' : 'unverified';
  };

  const sites: SiteRectification[] = current.sites.map((s) => {
    const prev = previous.findings.filter((f) => f.site.code === s.code && scope(f));
    const r: SiteRectification = { code: s.code, name: s.name, previous: prev, fixed: [], persisting: [], unverified: [], new: [], mark: '' };
    for (const f of prev) r[verdict(f)].push(f);
    r.new = current.findings.filter((f) => f.site.code === s.code && scope(f) && !previousIds.has(f.id));
    r.mark = prev.length === 0 ? '' : r.persisting.length > 0 ? '否' : r.unverified.length > 0 ? '未核实' : '是';
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
