/**
 * `candidates.json` (every generated candidate with its state; schema
 * `schema/candidates-v1.schema.json`) and `candidates.csv` (the same, one row
 * a candidate, for a spreadsheet).
 */
import { fileURLToPath } from 'node:url';
import { toCsv, type Fact, type Registry } from '@govscan/core';
import { toUnicode } from './domain.js';
import { hostOf } from './domain.js';
import { CLASSIFICATIONS, type CandidateRecord, type HuntResult } from './hunt.js';

export const CANDIDATES_SCHEMA_ID = 'https://govscan.dev/schema/lookalike-candidates-v1.json';
export const CANDIDATES_SCHEMA_VERSION = 1;
export const candidatesSchemaPath = fileURLToPath(new URL('../schema/candidates-v1.schema.json', import.meta.url));

const RANK: Record<string, number> = { counterfeit: 0, suspicious: 1, parked: 2, unknown: 3, collision: 4, wildcard: 5, unrelated: 6 };
const rankOf = (c: CandidateRecord): number => (c.classification ? RANK[c.classification]! : 7);

/** Live and doubtful candidates first (by classification), then by name. */
export function sortCandidates(cs: readonly CandidateRecord[]): CandidateRecord[] {
  return [...cs].sort((a, b) => rankOf(a) - rankOf(b) || (b.score ?? -1) - (a.score ?? -1) || (a.ascii < b.ascii ? -1 : a.ascii > b.ascii ? 1 : 0));
}

export interface CandidatesDocumentInput {
  tool: { name: string; version: string };
  registry: Registry;
  sites: readonly { code: string; name: string; urls: string[] }[];
  options: Record<string, Fact>;
  result: HuntResult;
}

export function candidatesDocument(i: CandidatesDocumentInput): Record<string, unknown> {
  const r = i.result;
  const perSite = new Map<string, number>();
  for (const c of r.candidates) for (const s of c.sites) perSite.set(s, (perSite.get(s) ?? 0) + 1);
  const byState = { exists: 0, nxdomain: 0, unknown: 0, unresolved: 0 };
  for (const c of r.candidates) byState[c.state ?? 'unresolved']++;
  return {
    $schema: CANDIDATES_SCHEMA_ID,
    schemaVersion: CANDIDATES_SCHEMA_VERSION,
    tool: { ...i.tool },
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    registry: { file: i.registry.file, ...(i.registry.title ? { title: i.registry.title } : {}), sites: i.registry.sites.length },
    options: i.options,
    summary: {
      candidates: r.candidates.length,
      byState,
      byClassification: Object.fromEntries(CLASSIFICATIONS.map((k) => [k, r.stats.byClassification[k]])),
      findings: r.findings.length,
      generation: { ...r.stats.generate },
      resolution: r.stats.resolve ? { ...r.stats.resolve } : null,
      triaged: r.stats.triaged,
      elapsedMs: { ...r.stats.elapsedMs },
    },
    sites: i.sites.map((s) => ({ code: s.code, name: s.name, host: hostOf(s.urls[0]!), candidates: perSite.get(s.code) ?? 0 })),
    wildcards: r.wildcards.map((w) => ({ zone: toUnicode(w.zone), ascii: w.zone, probe: w.probe, a: w.a, aaaa: w.aaaa, cname: w.cname, names: w.names, sites: w.sites })),
    candidates: sortCandidates(r.candidates).map((c) => ({
      domain: c.unicode,
      ascii: c.ascii,
      registrable: toUnicode(c.registrable),
      suffix: toUnicode(c.suffix),
      open: c.open,
      fuzzers: c.fuzzers,
      sites: c.sites,
      state: c.state,
      dns: c.dns
        ? { status: c.dns.status, a: c.dns.a, aaaa: c.dns.aaaa, cname: c.dns.cname, ns: c.dns.ns, mx: c.dns.mx, wildcard: c.dns.wildcard ? toUnicode(c.dns.wildcard) : null, error: c.dns.error, resolver: c.dns.resolver, queries: c.dns.queries }
        : null,
      classification: c.classification,
      score: c.score,
      imitates: c.imitates,
      decidedBy: c.decidedBy,
      findings: c.findings,
    })),
  };
}

export const CSV_COLUMNS = ['domain', 'ascii', 'state', 'classification', 'score', 'imitates', 'sites', 'fuzzers', 'suffix', 'open', 'a', 'ns', 'mx', 'wildcard', 'findings', 'decided_by'] as const;

/** RFC 4180, UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese right), formulas defused (core's `toCsv`). */
export function candidatesCsv(cs: readonly CandidateRecord[]): string {
  return toCsv(
    CSV_COLUMNS,
    sortCandidates(cs).map((c) => [c.unicode, c.ascii, c.state, c.classification, c.score, c.imitates, c.sites, c.fuzzers, toUnicode(c.suffix), c.open, c.dns?.a ?? [], c.dns?.ns ?? [], c.dns?.mx ?? [], c.dns?.wildcard ? toUnicode(c.dns.wildcard) : '', c.findings, c.decidedBy.join('; ')]),
  );
}
