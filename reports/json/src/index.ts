/**
 * `findings.json`: the machine-readable, versioned record of one scan run.
 *
 * The document shape is pinned by `schema/findings-v1.schema.json`. Output is
 * deterministic for a given run: every list is sorted by a total order, and
 * objects are built key by key (nothing from the input leaks through).
 */
import { fileURLToPath } from 'node:url';
import {
  ATTEMPT_STATUSES,
  compareAttempts,
  compareFindings,
  compareText,
  SEVERITIES,
  severityRank,
  siteOrder,
  type Attempt,
  type AttemptStatus,
  type Fact,
  type Finding,
  type Reporter,
  type Rule,
  type ScanRun,
  type Severity,
  type SiteKind,
} from '@govscan/core';

export const FINDINGS_SCHEMA_ID = 'https://govscan.dev/schema/findings-v1.json';
export const FINDINGS_SCHEMA_VERSION = 1;

/** Absolute path of the JSON Schema (draft 2020-12) for `findings.json`. Works from `src/` and `dist/`. */
export const findingsSchemaPath = fileURLToPath(new URL('../schema/findings-v1.schema.json', import.meta.url));

export type SeverityCounts = Record<Severity, number>;
export type AttemptCounts = Record<AttemptStatus, number>;

export interface FindingsDocumentSite {
  code: string;
  name: string;
  unit: string;
  kind: SiteKind;
  division: string;
  urls: string[];
  findings: number;
  worstSeverity: Severity | null;
  attempts: AttemptCounts;
  /** Identity tokens the naming scanner read from the homepage (its `naming.identity` facts); null when it did not run. */
  identity: Record<string, Fact> | null;
}

/** A rule as findings.json publishes it: core's fields, tags always present. */
export type FindingsDocumentRule = Pick<Rule, 'id' | 'title' | 'severity' | 'description' | 'remediation' | 'reference' | 'scanner'> & { tags: string[] };

export interface FindingsDocument {
  $schema: typeof FINDINGS_SCHEMA_ID;
  schemaVersion: typeof FINDINGS_SCHEMA_VERSION;
  tool: { name: string; version: string };
  startedAt: string;
  finishedAt: string;
  registry: { file: string; title?: string; sites: number };
  scanners: string[];
  options: Record<string, Fact>;
  summary: {
    sites: number;
    findings: number;
    bySeverity: SeverityCounts;
    attempts: AttemptCounts;
  };
  sites: FindingsDocumentSite[];
  findings: Finding[];
  attempts: Attempt[];
  rules: FindingsDocumentRule[];
}


/** Zero counts, keyed in core's order (severities ascending; ok, error, unknown). */
function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

function copyFinding(f: Finding): Finding {
  return {
    id: f.id,
    ruleId: f.ruleId,
    severity: f.severity,
    title: { zh: f.title.zh, en: f.title.en },
    site: { code: f.site.code, name: f.site.name },
    target: f.target,
    locator: f.locator,
    evidence: [...f.evidence],
    observedAt: f.observedAt,
    scanner: f.scanner,
  };
}

function copyAttempt(a: Attempt): Attempt {
  return {
    scanner: a.scanner,
    site: { code: a.site.code, name: a.site.name },
    target: a.target,
    check: a.check,
    status: a.status,
    ...(a.error ? { error: { code: a.error.code, message: a.error.message } } : {}),
    startedAt: a.startedAt,
    durationMs: a.durationMs,
  };
}

function copyRule(r: Rule): FindingsDocumentRule {
  return {
    id: r.id,
    title: { zh: r.title.zh, en: r.title.en },
    severity: r.severity,
    description: { zh: r.description.zh, en: r.description.en },
    remediation: { zh: r.remediation.zh, en: r.remediation.en },
    reference: r.reference,
    scanner: r.scanner,
    tags: [...(r.tags ?? [])],
  };
}

/** Build the `findings.json` document for a run. Pure; does not mutate `run`. */
export function toFindingsDocument(run: ScanRun): FindingsDocument {
  const order = siteOrder(run.sites);
  const findings = run.findings.map(copyFinding).sort(compareFindings(order));
  const attempts = run.attempts.map(copyAttempt).sort(compareAttempts(order));

  const bySeverity: SeverityCounts = zeroCounts(SEVERITIES);
  for (const f of findings) bySeverity[f.severity] += 1;
  const attemptTotals: AttemptCounts = zeroCounts(ATTEMPT_STATUSES);
  for (const a of attempts) attemptTotals[a.status] += 1;

  const identities = new Map(run.observations.filter((o) => o.scanner === 'naming' && o.kind === 'naming.identity').map((o) => [o.site.code, o.facts]));
  const sites: FindingsDocumentSite[] = run.sites.map((s) => {
    const own = findings.filter((f) => f.site.code === s.code);
    let worst: Severity | null = null;
    for (const f of own) {
      if (worst === null || severityRank(f.severity) > severityRank(worst)) worst = f.severity;
    }
    const counts: AttemptCounts = zeroCounts(ATTEMPT_STATUSES);
    for (const a of attempts) if (a.site.code === s.code) counts[a.status] += 1;
    return {
      code: s.code,
      name: s.name,
      unit: s.unit,
      kind: s.kind,
      division: s.division,
      urls: [...s.urls],
      findings: own.length,
      worstSeverity: worst,
      attempts: counts,
      identity: identities.get(s.code) ?? null,
    };
  });

  const referenced = new Set(findings.map((f) => f.ruleId));
  const seenRules = new Set<string>();
  const rules: FindingsDocumentRule[] = [];
  for (const r of run.rules) {
    if (!referenced.has(r.id) || seenRules.has(r.id)) continue;
    seenRules.add(r.id);
    rules.push(copyRule(r));
  }
  rules.sort((a, b) => compareText(a.id, b.id));

  const registry: FindingsDocument['registry'] =
    run.registry.title === undefined
      ? { file: run.registry.file, sites: run.registry.sites }
      : { file: run.registry.file, title: run.registry.title, sites: run.registry.sites };

  return {
    $schema: FINDINGS_SCHEMA_ID,
    schemaVersion: FINDINGS_SCHEMA_VERSION,
    tool: { name: run.tool.name, version: run.tool.version },
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    registry,
    scanners: [...run.scanners],
    options: { ...run.options },
    summary: {
      sites: run.sites.length,
      findings: findings.length,
      bySeverity,
      attempts: attemptTotals,
    },
    sites,
    findings,
    attempts,
    rules,
  };
}

export const jsonReporter: Reporter = {
  id: 'json',
  fileName: 'findings.json',
  render(run: ScanRun): string {
    return `${JSON.stringify(toFindingsDocument(run), null, 2)}\n`;
  },
};
