/**
 * `findings.json`: the machine-readable, versioned record of one scan run.
 *
 * The document shape is pinned by `schema/findings-v1.schema.json`. Output is
 * deterministic for a given run: every list is sorted by a total order, and
 * objects are built key by key (nothing from the input leaks through).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  censusCells,
  compareRuns,
  rulesOf,
  type SiteRectification,
  DEFAULT_PROBLEM_SEVERITY,
  GovscanError,
  isIncomplete,
  judgeSites,
  tallyRun,
  type ReportOptions,
  type RunRecord,
  type RuleInfo,
  type SiteJudgement,
  type SiteState,
  type Verdict,
  type VerdictReason,
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
  type Site,
} from '@govscan/core';

export const FINDINGS_SCHEMA_ID = 'https://govscan.dev/schema/findings-v1.json';
export const FINDINGS_SCHEMA_VERSION = 1;

/** Absolute path of the JSON Schema (draft 2020-12) for `findings.json`. Works from `src/` and `dist/`. */
export const findingsSchemaPath = fileURLToPath(new URL('../schema/findings-v1.schema.json', import.meta.url));

export type SeverityCounts = Record<Severity, number>;
export type AttemptCounts = Record<AttemptStatus, number>;

/** A site as findings.json publishes it: the registry's fields (not its icp, psb, contact), then what the run says of it. */
export interface FindingsDocumentSite extends Pick<Site, 'code' | 'name' | 'unit' | 'kind' | 'division' | 'urls'> {
  findings: number;
  worstSeverity: Severity | null;
  attempts: AttemptCounts;
  /** Identity tokens the naming scanner read from the homepage (its `naming.identity` facts); null when it did not run. */
  identity: Record<string, Fact> | null;
  /** What the judged model says of the site (`judgeSites`). */
  state: SiteState;
  /** 存在的突出问题, as the 汇总表 words it. */
  problems: string;
  /** 是否完成整改, when the run was compared with an earlier one (`--previous`). */
  rectified?: string;
  problemRules: string[];
  undetermined: { ruleId: string; reason: VerdictReason }[];
  grades: Record<string, string | null>;
}

/** A rule as findings.json publishes it: core's fields but its source, tags always present. */
export type FindingsDocumentRule = Omit<RuleInfo, 'source' | 'tags' | 'match'> & { tags: string[] };

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
    problemSeverity: Severity;
    sitesChecked: number;
    sitesPartial: number;
    sitesUnchecked: number;
    sitesWithProblems: number;
    problems: number;
    /** A site in scope was left with a rule undecided (exit code 4). */
    incomplete: boolean;
  };
  sites: FindingsDocumentSite[];
  findings: Finding[];
  attempts: Attempt[];
  rules: FindingsDocumentRule[];
  verdicts: Verdict[];
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
    facts: structuredClone(f.facts ?? {}),
    occurrences: f.occurrences ?? 1,
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
    ...(a.covers?.length ? { covers: [...a.covers] } : {}),
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
    observation: r.observation,
    ...(r.evidence ? { evidence: [...r.evidence] } : {}),
    tags: [...(r.tags ?? [])],
    kind: r.kind,
    ...(r.census ? { census: { ...r.census } } : {}),
    ...(r.grade ? { grade: { fact: r.grade.fact, order: [...r.grade.order] } } : {}),
    ...(r.classification ? { classification: r.classification } : {}),
  };
}

function copyVerdict(v: Verdict): Verdict {
  return {
    site: v.site,
    ruleId: v.ruleId,
    state: v.state,
    findings: [...v.findings],
    cleared: [...v.cleared],
    undetermined: [...v.undetermined],
    complete: v.complete,
    ...(v.reason ? { reason: { code: v.reason.code, check: v.reason.check, message: v.reason.message } } : {}),
  };
}

/** Build the `findings.json` document for a run. Pure; does not mutate `run`. */
export function toFindingsDocument(run: ScanRun, options: ReportOptions = {}): FindingsDocument {
  const order = siteOrder(run.sites);
  const findings = run.findings.map(copyFinding).sort(compareFindings(order));
  const attempts = run.attempts.map(copyAttempt).sort(compareAttempts(order));

  const bySeverity: SeverityCounts = zeroCounts(SEVERITIES);
  for (const f of findings) bySeverity[f.severity] += 1;
  const attemptTotals: AttemptCounts = zeroCounts(ATTEMPT_STATUSES);
  for (const a of attempts) attemptTotals[a.status] += 1;

  const problemSeverity = options.problemSeverity ?? DEFAULT_PROBLEM_SEVERITY;
  const judged = new Map(judgeSites(run, { problemSeverity }).map((j) => [j.site.code, j]));
  const rectification = options.previous ? new Map(compareRuns(options.previous, run, { problemSeverity }).sites.map((s) => [s.code, s])) : null;
  const ruleInfo = options.previous ? rulesOf(options.previous, run) : rulesOf(run);
  const tally = tallyRun([...judged.values()]);
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
      ...siteView(judged.get(s.code)!, rectification?.get(s.code), ruleInfo, rectification !== null),
    };
  });

  const seenRules = new Set<string>();
  const rules: FindingsDocumentRule[] = [];
  for (const r of run.rules) {
    if (seenRules.has(r.id)) continue;
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
      problemSeverity,
      sitesChecked: tally.checked,
      sitesPartial: tally.partial,
      sitesUnchecked: tally.unchecked,
      sitesWithProblems: tally.withProblems,
      problems: tally.problems,
      incomplete: isIncomplete([...judged.values()]),
    },
    sites,
    findings,
    attempts,
    rules,
    verdicts: run.verdicts.map(copyVerdict),
  };
}

function siteView(j: SiteJudgement, r: SiteRectification | undefined, rules: ReadonlyMap<string, RuleInfo>, compared: boolean): Pick<FindingsDocumentSite, 'state' | 'problems' | 'rectified' | 'problemRules' | 'undetermined' | 'grades'> {
  const cells = censusCells(j, r, rules);
  return {
    state: j.state,
    problems: cells.problems,
    ...(compared ? { rectified: cells.rectified } : {}),
    problemRules: j.problems.map((p) => p.rule.id),
    undetermined: j.undetermined.map((u) => ({ ruleId: u.rule.id, reason: { ...u.reason } })),
    grades: Object.fromEntries(j.grades.map((g) => [g.rule.id, g.value])),
  };
}

export const FINDINGS_FILE = 'findings.json';

/**
 * The one reader of an earlier run: its `findings.json`, back as the judged
 * model (`RunRecord`) every output compares with. A folder without one, or
 * one that is not a govscan findings document with verdicts, is an input
 * error (exit 2) naming the file.
 */
export async function loadRun(dir: string): Promise<RunRecord> {
  const file = path.join(dir, FINDINGS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new GovscanError('E_PREVIOUS_RUN', code === 'ENOENT' || code === 'ENOTDIR' ? `${dir} holds no govscan run (no ${FINDINGS_FILE})` : `cannot read ${file} (${code})`, { exitCode: 2 });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new GovscanError('E_PREVIOUS_RUN', `${file} is not valid JSON`, { exitCode: 2 });
  }
  const d = doc as Partial<FindingsDocument>;
  const ok = typeof doc === 'object' && doc !== null && d.$schema === FINDINGS_SCHEMA_ID && [d.sites, d.findings, d.attempts, d.rules].every(Array.isArray);
  if (!ok) throw new GovscanError('E_PREVIOUS_RUN', `${file} is not a govscan findings document`, { exitCode: 2 });
  if (!Array.isArray(d.verdicts)) throw new GovscanError('E_PREVIOUS_RUN', `${file} was written by an older govscan and holds no verdicts: scan again to compare with it`, { exitCode: 2 });
  const full = d as FindingsDocument;
  return {
    tool: full.tool,
    startedAt: full.startedAt,
    finishedAt: full.finishedAt,
    registry: full.registry,
    scanners: full.scanners,
    options: full.options,
    sites: full.sites.map((s) => ({ code: s.code, name: s.name, unit: s.unit, kind: s.kind, division: s.division, urls: s.urls })),
    rules: full.rules,
    findings: full.findings.map((f) => ({ ...f, facts: f.facts ?? {}, occurrences: f.occurrences ?? 1 })),
    attempts: full.attempts,
    verdicts: full.verdicts,
    source: dir,
  };
}

export const jsonReporter: Reporter = {
  id: 'json',
  fileName: FINDINGS_FILE,
  render(run: ScanRun, options?: ReportOptions): string {
    return `${JSON.stringify(toFindingsDocument(run, options), null, 2)}\n`;
  },
};
