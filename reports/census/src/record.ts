/**
 * `census.json`: what a later run needs to verify rectification — the
 * findings, and for every (rule, observation) pair that was judged, whether
 * the rule was definitively not met (`cleared`) or could not be decided
 * (`undetermined`, a fact it needs was unknown). A finding of an earlier run
 * counts as fixed only when the new run cleared it, never merely because it
 * is absent.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  compareFindings,
  factAt,
  findingFingerprint,
  GovscanError,
  siteOrder,
  type Finding,
  type Matcher,
  type ScanRun,
  type Rule,
} from '@govscan/core';

export const CENSUS_RECORD_FILE = 'census.json';
export const CENSUS_RECORD_SCHEMA = 'govscan-census-record-v1';

/** A rule as the census record keeps it: core's fields, the observation kind (null in older records), tags always present. */
export type RecordRule = Pick<Rule, 'id' | 'title' | 'severity' | 'description' | 'remediation' | 'reference' | 'scanner'> & { observation: string | null; tags: string[] };

export interface RecordSite {
  code: string;
  name: string;
  unit: string;
  urls: string[];
}

export interface AttemptTally {
  site: string;
  scanner: string;
  ok: number;
  error: number;
  unknown: number;
}

export interface CensusRecord {
  schema: typeof CENSUS_RECORD_SCHEMA;
  tool: { name: string; version: string };
  startedAt: string;
  finishedAt: string;
  registry: { file: string; title?: string };
  scanners: string[];
  /** The sites scanned, in registry order. */
  sites: RecordSite[];
  rules: RecordRule[];
  findings: Finding[];
  /** Fingerprints of (rule, observation) pairs the rule definitively did not meet; null when not known (read from findings.json). */
  cleared: string[] | null;
  /** Fingerprints of (rule, observation) pairs a rule could not decide (a fact it needs was unknown); null when not known. */
  undetermined: string[] | null;
  /** `site␟scanner␟kind` of every observation kind seen per site; null when not known. */
  observed: string[] | null;
  attempts: AttemptTally[];
  /** Where it was read from, when it was. */
  source?: string;
}

/**
 * A matcher evaluated in three values: true, false, or null when a fact it
 * needs is unknown (the same semantics as core's `matches`, which folds null
 * into false).
 */
export function evaluate3(m: Matcher, facts: unknown): boolean | null {
  if ('all' in m) {
    let unknown = false;
    for (const x of m.all) {
      const v = evaluate3(x, facts);
      if (v === false) return false;
      if (v === null) unknown = true;
    }
    return unknown ? null : true;
  }
  if ('any' in m) {
    let unknown = false;
    for (const x of m.any) {
      const v = evaluate3(x, facts);
      if (v === true) return true;
      if (v === null) unknown = true;
    }
    return unknown ? null : false;
  }
  if ('not' in m) {
    const v = evaluate3(m.not, facts);
    return v === null ? null : !v;
  }
  const value = factAt(facts, m.fact);
  if (m.missing !== undefined) return (value === undefined || value === null) === m.missing;
  if ('equals' in m && m.equals === null) return value === undefined || value === null;
  if (value === undefined || value === null) return null;
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0) return false;
  if (values.every((v) => v === null)) return null;
  const one = (v: unknown): boolean => {
    if ('equals' in m) return JSON.stringify(v) === JSON.stringify(m.equals);
    if (m.in !== undefined) return m.in.some((x) => JSON.stringify(v) === JSON.stringify(x));
    if (m.lt !== undefined) return typeof v === 'number' && v < m.lt;
    if (m.gt !== undefined) return typeof v === 'number' && v > m.gt;
    if (m.regex !== undefined) return typeof v === 'string' && new RegExp(m.regex, 'u').test(v);
    return false;
  };
  if ('equals' in m && Array.isArray(m.equals)) return one(value);
  return values.some(one);
}

function tally(run: ScanRun): AttemptTally[] {
  const map = new Map<string, AttemptTally>();
  for (const a of run.attempts) {
    const key = `${a.site.code}\x1f${a.scanner}`;
    const t = map.get(key) ?? { site: a.site.code, scanner: a.scanner, ok: 0, error: 0, unknown: 0 };
    t[a.status]++;
    map.set(key, t);
  }
  return [...map.values()];
}

/** The record of a run held in memory (observations included). */
export function recordFromRun(run: ScanRun): CensusRecord {
  const cleared = new Set<string>();
  const undetermined = new Set<string>();
  const observed = new Set<string>();
  const byKind = new Map<string, ScanRun['rules']>();
  for (const r of run.rules) byKind.set(`${r.scanner}\x1f${r.observation}`, [...(byKind.get(`${r.scanner}\x1f${r.observation}`) ?? []), r]);
  for (const o of run.observations) {
    observed.add(`${o.site.code}\x1f${o.scanner}\x1f${o.kind}`);
    for (const rule of byKind.get(`${o.scanner}\x1f${o.kind}`) ?? []) {
      const v = evaluate3(rule.match, o.facts);
      if (v === true) continue;
      const id = findingFingerprint(rule.id, o.site.code, o.target, o.locator);
      (v === false ? cleared : undetermined).add(id);
    }
  }
  // A pair that cleared on one observation but matched on another with the same fingerprint is a finding, not cleared.
  for (const f of run.findings) {
    cleared.delete(f.id);
    undetermined.delete(f.id);
  }
  const order = siteOrder(run.sites);
  return {
    schema: CENSUS_RECORD_SCHEMA,
    tool: { ...run.tool },
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    registry: { file: run.registry.file, ...(run.registry.title ? { title: run.registry.title } : {}) },
    scanners: [...run.scanners],
    sites: run.sites.map((s) => ({ code: s.code, name: s.name, unit: s.unit, urls: [...s.urls] })),
    rules: run.rules.map((r) => ({ id: r.id, title: r.title, severity: r.severity, description: r.description, remediation: r.remediation, reference: r.reference, scanner: r.scanner, observation: r.observation, tags: [...(r.tags ?? [])] })),
    findings: [...run.findings].sort(compareFindings(order)),
    cleared: [...cleared].sort(),
    undetermined: [...undetermined].sort(),
    observed: [...observed].sort(),
    attempts: tally(run),
  };
}

interface FindingsJson {
  tool: { name: string; version: string };
  startedAt: string;
  finishedAt: string;
  registry: { file: string; title?: string };
  scanners: string[];
  sites: { code: string; name: string; unit: string; urls: string[] }[];
  findings: Finding[];
  attempts: ScanRun['attempts'];
  rules: (Omit<RecordRule, 'observation'> & { observation?: string })[];
}

/** The record of a run read back from its findings.json (no observations: rectification falls back to attempts). */
export function recordFromFindingsJson(doc: FindingsJson, source?: string): CensusRecord {
  const t = new Map<string, AttemptTally>();
  for (const a of doc.attempts) {
    const key = `${a.site.code}\x1f${a.scanner}`;
    const x = t.get(key) ?? { site: a.site.code, scanner: a.scanner, ok: 0, error: 0, unknown: 0 };
    x[a.status]++;
    t.set(key, x);
  }
  return {
    schema: CENSUS_RECORD_SCHEMA,
    tool: doc.tool,
    startedAt: doc.startedAt,
    finishedAt: doc.finishedAt,
    registry: doc.registry,
    scanners: doc.scanners,
    sites: doc.sites.map((s) => ({ code: s.code, name: s.name, unit: s.unit, urls: s.urls })),
    rules: doc.rules.map((r) => ({ ...r, observation: r.observation ?? null, tags: r.tags ?? [] })),
    findings: doc.findings,
    cleared: null,
    undetermined: null,
    observed: null,
    attempts: [...t.values()],
    ...(source ? { source } : {}),
  };
}

function isRecord(x: unknown): x is CensusRecord {
  return typeof x === 'object' && x !== null && (x as { schema?: unknown }).schema === CENSUS_RECORD_SCHEMA && Array.isArray((x as CensusRecord).findings) && Array.isArray((x as CensusRecord).sites);
}

function isFindingsJson(x: unknown): x is FindingsJson {
  const d = x as FindingsJson;
  return typeof x === 'object' && x !== null && Array.isArray(d.findings) && Array.isArray(d.sites) && Array.isArray(d.attempts) && Array.isArray(d.rules);
}

/**
 * Read the record of an earlier run from its output folder: `census.json`
 * when the run wrote one, else `findings.json`. A folder with neither, or
 * with unreadable files, is an input error (exit 2).
 */
export async function loadRunDir(dir: string): Promise<CensusRecord> {
  const tryRead = async (file: string): Promise<unknown> => {
    let text: string;
    try {
      text = await readFile(path.join(dir, file), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw new GovscanError('E_PREVIOUS_RUN', `cannot read ${path.join(dir, file)} (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`, { exitCode: 2 });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new GovscanError('E_PREVIOUS_RUN', `${path.join(dir, file)} is not valid JSON`, { exitCode: 2 });
    }
  };
  const record = await tryRead(CENSUS_RECORD_FILE);
  if (record !== undefined) {
    if (!isRecord(record)) throw new GovscanError('E_PREVIOUS_RUN', `${path.join(dir, CENSUS_RECORD_FILE)} is not a govscan census record`, { exitCode: 2 });
    return { ...record, source: dir };
  }
  const findings = await tryRead('findings.json');
  if (findings !== undefined) {
    if (!isFindingsJson(findings)) throw new GovscanError('E_PREVIOUS_RUN', `${path.join(dir, 'findings.json')} is not a govscan findings document`, { exitCode: 2 });
    return recordFromFindingsJson(findings, dir);
  }
  throw new GovscanError('E_PREVIOUS_RUN', `${dir} holds no govscan run (no ${CENSUS_RECORD_FILE} nor findings.json)`, { exitCode: 2 });
}
