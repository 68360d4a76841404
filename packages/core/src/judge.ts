import { findingFingerprint } from './fingerprint.js';
import { evaluate, factAt, unknownFacts } from './rules.js';
import { SEVERITIES, type Attempt, type Fact, type Finding, type Observation, type Rule, type SiteRef, type Verdict, type VerdictReason } from './types.js';

/** Render a fact for evidence: strings as they are, the rest as compact JSON, cut at 300 characters. */
export function formatFact(value: unknown): string {
  const s = typeof value === 'string' ? value : value === undefined ? 'undefined' : JSON.stringify(value);
  return s.length > 300 ? `${s.slice(0, 297)}...` : s;
}

const key = (...parts: string[]): string => parts.join('\x1f');

function rulesByKind(rules: readonly Rule[]): Map<string, Rule[]> {
  const byKind = new Map<string, Rule[]>();
  for (const r of rules) {
    const k = key(r.scanner, r.observation);
    byKind.set(k, [...(byKind.get(k) ?? []), r]);
  }
  return byKind;
}

/** One (rule, observation) pair judged: the finding it makes, or why it made none. */
type Judged = { value: true; finding: Finding } | { value: false; id: string } | { value: null; id: string; unknown: string[]; target: string };

function judgeOne(rule: Rule, obs: Observation): Judged {
  const id = findingFingerprint(rule.id, obs.site.code, obs.target, obs.locator);
  const v = evaluate(rule.match, obs.facts);
  if (v === false) return { value: false, id };
  if (v === null) return { value: null, id, unknown: unknownFacts(rule.match, obs.facts), target: obs.target };
  const facts: Record<string, Fact> = {};
  const evidence: string[] = [];
  for (const p of rule.evidence ?? []) {
    const value = factAt(obs.facts, p);
    if (value === undefined) continue;
    facts[p] = value as Fact;
    evidence.push(`${p}: ${formatFact(value)}`);
  }
  evidence.push(...(obs.evidence ?? []));
  return {
    value: true,
    finding: {
      id,
      ruleId: rule.id,
      severity: rule.severity,
      title: rule.title,
      site: { code: obs.site.code, name: obs.site.name },
      target: obs.target,
      locator: obs.locator,
      evidence,
      observedAt: obs.observedAt,
      scanner: obs.scanner,
      facts,
      occurrences: 1,
    },
  };
}

/**
 * Findings with one fingerprint (one rule on several addresses of a host, say) are one
 * finding: evidence joined, occurrences counted, and for a grade the worst one kept.
 */
function addFinding(findings: Map<string, Finding>, f: Finding, rule: Rule): void {
  const existing = findings.get(f.id);
  if (!existing) {
    findings.set(f.id, f);
    return;
  }
  existing.occurrences++;
  for (const e of f.evidence) if (!existing.evidence.includes(e)) existing.evidence.push(e);
  const scale = rule.grade;
  if (scale) {
    const rank = (v: Fact | undefined): number => (typeof v === 'string' ? scale.order.indexOf(v) : -1);
    if (rank(f.facts[scale.fact]) > rank(existing.facts[scale.fact])) existing.facts[scale.fact] = f.facts[scale.fact]!;
  }
}

/**
 * Turn observations into findings. A rule judges the observations of its
 * scanner and kind; one finding per (rule, observation) that matches, those
 * with the same fingerprint merged.
 */
export function judge(rules: readonly Rule[], observations: readonly Observation[]): Finding[] {
  return judgeRun({ rules, sites: [], observations, attempts: [] }).findings;
}

export interface JudgeRunInput {
  rules: readonly Rule[];
  /** The sites in scope, in registry order. */
  sites: readonly SiteRef[];
  observations: readonly Observation[];
  attempts: readonly Attempt[];
  /** The scanners that ran: only their rules are in scope. Default: every rule's scanner. */
  scanners?: readonly string[];
}

export interface JudgedRun {
  findings: Finding[];
  verdicts: Verdict[];
}

function attemptReason(a: Attempt): VerdictReason {
  return { code: a.error?.code ?? (a.status === 'error' ? 'EFAILED' : 'EUNKNOWN'), check: a.check, message: a.error?.message ?? `${a.check}: ${a.status}` };
}

/**
 * Judge a run: its findings, and per site and rule in scope one verdict —
 * `finding` when the rule fired on an observation of the site; otherwise
 * `undetermined` when a fact it needs was unknown, or a check that covers
 * its observation kind (an attempt whose `covers` names it) did not
 * complete, or nothing of that kind was observed and no check covers it;
 * otherwise `cleared`. A site is clean only where every verdict is
 * `cleared`: what could not be checked is never a pass.
 */
export function judgeRun(input: JudgeRunInput): JudgedRun {
  const scope = input.scanners ? new Set(input.scanners) : null;
  const rules = input.rules.filter((r) => !scope || scope.has(r.scanner));
  const byKind = rulesByKind(rules);
  const findings = new Map<string, Finding>();
  const perPair = new Map<string, { findings: Set<string>; cleared: Set<string>; undetermined: Set<string>; unknown: { target: string; facts: string[] } | null; observed: number }>();
  for (const obs of input.observations) {
    for (const rule of byKind.get(key(obs.scanner, obs.kind)) ?? []) {
      const k = key(obs.site.code, rule.id);
      let pair = perPair.get(k);
      if (!pair) perPair.set(k, (pair = { findings: new Set(), cleared: new Set(), undetermined: new Set(), unknown: null, observed: 0 }));
      pair.observed++;
      const j = judgeOne(rule, obs);
      if (j.value === true) {
        addFinding(findings, j.finding, rule);
        pair.findings.add(j.finding.id);
      } else if (j.value === false) pair.cleared.add(j.id);
      else {
        pair.undetermined.add(j.id);
        pair.unknown ??= { target: j.target, facts: j.unknown };
      }
    }
  }
  // A fingerprint that fired on one observation is a finding, not cleared nor undetermined.
  for (const pair of perPair.values())
    for (const id of pair.findings) {
      pair.cleared.delete(id);
      pair.undetermined.delete(id);
    }

  // The checks that cover each (site, scanner, kind), and the first that did not complete.
  const coverage = new Map<string, { checks: number; blocker: Attempt | null }>();
  for (const a of input.attempts) {
    for (const kind of a.covers ?? []) {
      const k = key(a.site.code, a.scanner, kind);
      const c = coverage.get(k) ?? { checks: 0, blocker: null };
      c.checks++;
      if (a.status !== 'ok' && (!c.blocker || (c.blocker.status === 'error' && a.status === 'unknown'))) c.blocker = a;
      coverage.set(k, c);
    }
  }

  const verdicts: Verdict[] = [];
  for (const site of input.sites) {
    for (const rule of rules) {
      const pair = perPair.get(key(site.code, rule.id));
      const cov = coverage.get(key(site.code, rule.scanner, rule.observation));
      const complete = !!cov && cov.blocker === null ? true : !cov ? (pair?.observed ?? 0) > 0 : false;
      const v: Verdict = {
        site: site.code,
        ruleId: rule.id,
        state: 'cleared',
        findings: [...(pair?.findings ?? [])].sort(),
        cleared: [...(pair?.cleared ?? [])].sort(),
        undetermined: [...(pair?.undetermined ?? [])].sort(),
        complete,
      };
      const blockerReason = cov?.blocker ? attemptReason(cov.blocker) : undefined;
      if (v.findings.length > 0) {
        v.state = 'finding';
        if (blockerReason) v.reason = blockerReason;
      } else if (blockerReason) {
        v.state = 'undetermined';
        v.reason = blockerReason;
      } else if (pair?.unknown) {
        v.state = 'undetermined';
        v.reason = { code: 'E_FACT_UNKNOWN', check: pair.unknown.target, message: `not established: ${pair.unknown.facts.join(', ')}` };
      } else if (!cov && !pair) {
        v.state = 'undetermined';
        v.reason = { code: 'E_NOT_OBSERVED', check: rule.observation, message: `the ${rule.scanner} scanner observed no ${rule.observation} on this site` };
      }
      verdicts.push(v);
    }
  }
  return { findings: [...findings.values()], verdicts };
}

/** Severity rank: info 0 … critical 4. */
export function severityRank(s: string): number {
  return (SEVERITIES as readonly string[]).indexOf(s);
}
