import { findingFingerprint } from './fingerprint.js';
import { factAt, matches } from './rules.js';
import { SEVERITIES, type Finding, type Observation, type Rule } from './types.js';

/** Render a fact for evidence: strings as they are, the rest as compact JSON, cut at 300 characters. */
export function formatFact(value: unknown): string {
  const s = typeof value === 'string' ? value : value === undefined ? 'undefined' : JSON.stringify(value);
  return s.length > 300 ? `${s.slice(0, 297)}...` : s;
}

/**
 * Turn observations into findings. A rule judges the observations of its
 * scanner and kind; one finding per (rule, observation) that matches. Findings
 * with the same fingerprint are merged (their evidence joined).
 */
export function judge(rules: readonly Rule[], observations: readonly Observation[]): Finding[] {
  const byKind = new Map<string, Rule[]>();
  for (const r of rules) {
    const key = `${r.scanner}\x1f${r.observation}`;
    byKind.set(key, [...(byKind.get(key) ?? []), r]);
  }
  const findings = new Map<string, Finding>();
  for (const obs of observations) {
    for (const rule of byKind.get(`${obs.scanner}\x1f${obs.kind}`) ?? []) {
      if (!matches(rule.match, obs.facts)) continue;
      const id = findingFingerprint(rule.id, obs.site.code, obs.target, obs.locator);
      const evidence = [
        ...(rule.evidence ?? []).flatMap((p) => {
          const v = factAt(obs.facts, p);
          return v === undefined ? [] : [`${p}: ${formatFact(v)}`];
        }),
        ...(obs.evidence ?? []),
      ];
      const existing = findings.get(id);
      if (existing) {
        for (const e of evidence) if (!existing.evidence.includes(e)) existing.evidence.push(e);
        continue;
      }
      findings.set(id, {
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
      });
    }
  }
  return [...findings.values()];
}

/** Severity rank: info 0 … critical 4. */
export function severityRank(s: string): number {
  return (SEVERITIES as readonly string[]).indexOf(s);
}
