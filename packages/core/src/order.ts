import { severityRank } from './judge.js';
import type { Attempt, Finding, Site } from './types.js';

/** Code-point order, independent of locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Position of each site code in registry order; unknown codes sort after all known ones. */
export function siteOrder(sites: readonly Pick<Site, 'code'>[]): (code: string) => number {
  const index = new Map<string, number>();
  sites.forEach((s, i) => {
    if (!index.has(s.code)) index.set(s.code, i);
  });
  return (code) => index.get(code) ?? Number.MAX_SAFE_INTEGER;
}

/** The one order of findings in every report: severity (worst first), registry order, rule, id. */
export function compareFindings(order: (code: string) => number): (a: Finding, b: Finding) => number {
  return (a, b) =>
    severityRank(b.severity) - severityRank(a.severity) ||
    order(a.site.code) - order(b.site.code) ||
    compareText(a.site.code, b.site.code) ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.id, b.id);
}

/** The one order of attempts in every report: registry order, scanner, check, target, start. */
export function compareAttempts(order: (code: string) => number): (a: Attempt, b: Attempt) => number {
  return (a, b) =>
    order(a.site.code) - order(b.site.code) ||
    compareText(a.site.code, b.site.code) ||
    compareText(a.scanner, b.scanner) ||
    compareText(a.check, b.check) ||
    compareText(a.target, b.target) ||
    compareText(a.startedAt, b.startedAt);
}
