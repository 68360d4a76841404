/**
 * The hunt: generate → resolve → triage → judge. Facts go into
 * `lookalike.candidate` observations; the rules of `rules/lookalike.yaml`
 * judge them, and a candidate's classification is the rule that matched it
 * (so the two can never disagree), else what its state says.
 */
import pLimit from 'p-limit';
import { findingFingerprint, judgeRun, severityRank, silentLogger, type Attempt, type Fact, type Finding, type Logger, type NetClient, type Observation, type Registry, type Rule, type Site, type SiteRef, type Verdict } from '@govscan/core';
import { toUnicode } from './domain.js';
import type { FuzzerId } from './fuzzers.js';
import { generate, type Candidate, type GenerateStats } from './generate.js';
import { resolveNames, type DnsPort, type DnsState, type Resolution, type ResolveStats, type WildcardZone } from './resolve.js';
import { loadGenuine, triage, type Genuine } from './triage.js';

export const CLASSIFICATIONS = ['counterfeit', 'suspicious', 'parked', 'unrelated', 'collision', 'wildcard', 'unknown'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const SCANNER_ID = 'lookalike';
export const OBSERVATION_KINDS = ['lookalike.candidate', 'lookalike.wildcard'] as const;

export interface CandidateRecord extends Candidate {
  /** Null when the name was not resolved (generation only). */
  state: DnsState | null;
  dns: Resolution | null;
  /** Null for names that do not exist (nxdomain) or were not resolved. */
  classification: Classification | null;
  /** 0-100: how much of the registered site the page reproduces (live candidates that were fetched). */
  score: number | null;
  /** Site code of the registered site it imitates most closely. */
  imitates: string | null;
  /** The signals behind the classification. */
  decidedBy: string[];
  /** Rule ids of its findings. */
  findings: string[];
}

export interface WildcardRecord extends WildcardZone {
  /** Candidates that exist only through this wildcard. */
  names: number;
  sites: string[];
}

export interface HuntStats {
  generate: GenerateStats;
  resolve: ResolveStats | null;
  triaged: number;
  byClassification: Record<Classification, number>;
  elapsedMs: { generate: number; resolve: number; triage: number; total: number };
}

export interface HuntResult {
  startedAt: string;
  finishedAt: string;
  candidates: CandidateRecord[];
  wildcards: WildcardRecord[];
  observations: Observation[];
  attempts: Attempt[];
  findings: Finding[];
  /** Per site and lookalike rule, the verdict. */
  verdicts: Verdict[];
  stats: HuntStats;
}

export interface HuntOptions {
  registry: Registry;
  /** Sites to hunt for (default: all of the registry). */
  sites?: readonly Site[];
  fuzzers?: readonly FuzzerId[];
  /** Null: generate only, no network. */
  dns: DnsPort | null;
  net: NetClient | null;
  /** The lookalike rules (others are ignored). */
  rules: readonly Rule[];
  /** Names resolved at once (default 256). */
  dnsConcurrency?: number;
  /** Candidates fetched at once (default 16). */
  triageConcurrency?: number;
  /** Timeout of each HTTP(S) operation. */
  timeoutMs: number;
  /** Timeout of one DNS query, retries included (default 5000). */
  dnsTimeoutMs?: number;
  signal?: AbortSignal;
  log?: Logger;
  now?: () => Date;
  onProgress?: (phase: 'resolve' | 'triage', done: number, total: number) => void;
}

const ref = (s: Site): SiteRef => ({ code: s.code, name: s.name });

function baseFacts(c: Candidate, r: Resolution): Record<string, Fact> {
  return {
    domain: c.unicode,
    ascii: c.ascii,
    registrable: toUnicode(c.registrable),
    suffix: toUnicode(c.suffix),
    open: c.open,
    closed: c.closed,
    fuzzers: [...c.fuzzers],
    sites: [...c.sites],
    dnsState: r.state,
    a: [...r.a],
    aaaa: [...r.aaaa],
    cname: [...r.cname],
    ns: [...r.ns],
    mx: [...r.mx],
    wildcard: r.wildcard !== null,
  };
}

/** The classification the rules gave an observation: the `classification` of its most severe matching rule that has one. */
function classOf(findings: Finding[], rules: ReadonlyMap<string, Rule>): Classification | null {
  let top: Finding | null = null;
  for (const f of findings) if (rules.get(f.ruleId)?.classification && (!top || severityRank(f.severity) > severityRank(top.severity))) top = f;
  const c = top ? rules.get(top.ruleId)?.classification : undefined;
  return c && (CLASSIFICATIONS as readonly string[]).includes(c) ? (c as Classification) : null;
}

export async function hunt(o: HuntOptions): Promise<HuntResult> {
  const now = o.now ?? (() => new Date());
  const log = o.log ?? silentLogger;
  const t0 = performance.now();
  const startedAt = now().toISOString();
  const sites = o.sites ?? o.registry.sites;
  const byCode = new Map(o.registry.sites.map((s) => [s.code, s]));
  const rules = o.rules.filter((r) => r.scanner === SCANNER_ID);
  const gen = generate(o.registry, sites, o.fuzzers ? { fuzzers: o.fuzzers } : {});
  log.info({ candidates: gen.stats.candidates, ms: gen.stats.elapsedMs }, 'lookalike candidates generated');
  const records: CandidateRecord[] = gen.candidates.map((c) => ({ ...c, state: null, dns: null, classification: null, score: null, imitates: null, decidedBy: [], findings: [] }));
  const observations: Observation[] = [];
  const attempts: Attempt[] = [];
  const elapsed = { generate: gen.stats.elapsedMs, resolve: 0, triage: 0, total: 0 };
  let resolveStats: ResolveStats | null = null;
  let wildcards: WildcardRecord[] = [];
  let triaged = 0;

  if (o.dns) {
    const t1 = performance.now();
    const res = await resolveNames(
      records.map((c) => c.ascii),
      o.dns,
      { concurrency: o.dnsConcurrency ?? 256, timeoutMs: o.dnsTimeoutMs ?? 5000, ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: (d: number, t: number) => o.onProgress!('resolve', d, t) } : {}) },
    );
    resolveStats = res.stats;
    elapsed.resolve = Math.round(performance.now() - t1);
    log.info({ ...res.stats }, 'lookalike candidates resolved');
    for (const c of records) {
      c.dns = res.results.get(c.ascii)!;
      c.state = c.dns.state;
    }
    const zoneSites = new Map<string, Set<string>>();
    const zoneNames = new Map<string, number>();
    for (const c of records) {
      if (!c.dns?.wildcard) continue;
      zoneNames.set(c.dns.wildcard, (zoneNames.get(c.dns.wildcard) ?? 0) + 1);
      const set = zoneSites.get(c.dns.wildcard) ?? new Set<string>();
      for (const s of c.sites) set.add(s);
      zoneSites.set(c.dns.wildcard, set);
    }
    wildcards = res.wildcards.map((w) => ({ ...w, names: zoneNames.get(w.zone) ?? 0, sites: [...(zoneSites.get(w.zone) ?? [])] }));

    const t2 = performance.now();
    const at = (): string => now().toISOString();
    // Unknown names: reported as unknown attempts, never dropped, never nxdomain.
    for (const c of records) {
      const site = byCode.get(c.sites[0]!)!;
      if (c.state === 'unknown') {
        c.classification = 'unknown';
        c.decidedBy = [`DNS ${c.dns!.error?.code ?? c.dns!.status}: ${c.dns!.error?.message ?? ''}`.trim()];
        attempts.push({ scanner: SCANNER_ID, site: ref(site), target: c.ascii, check: 'dns:A', status: 'unknown', error: c.dns!.error ?? { code: c.dns!.status.toUpperCase(), message: c.dns!.status }, startedAt, durationMs: 0 });
      } else if (c.state === 'exists' && c.dns!.wildcard) {
        c.classification = 'wildcard';
        c.decidedBy = [`exists only through the wildcard *.${toUnicode(c.dns!.wildcard)}`];
      }
    }
    for (const w of wildcards) {
      const site = byCode.get(w.sites[0] ?? '') ?? sites[0]!;
      observations.push({
        scanner: SCANNER_ID,
        kind: 'lookalike.wildcard',
        site: ref(site),
        target: w.zone,
        locator: 'wildcard',
        facts: { zone: toUnicode(w.zone), probe: w.probe, a: [...w.a], aaaa: [...w.aaaa], cname: [...w.cname], names: w.names, sites: [...w.sites] },
        evidence: [`${w.probe} A ${w.a.join(' ') || '(none)'}: every name below ${toUnicode(w.zone)} resolves; ${w.names} candidate(s) exist only through it`],
        observedAt: at(),
      });
    }

    // Live candidates: collisions are recorded as they are; open names are fetched and compared.
    const live = records.filter((c) => c.state === 'exists' && !c.dns!.wildcard);
    const genuine = new Map<string, Promise<Genuine>>();
    const genuineFor = (site: Site): Promise<Genuine> => {
      let p = genuine.get(site.code);
      if (!p) {
        p = loadGenuine(site, o.net!, { timeoutMs: o.timeoutMs, ...(o.signal ? { signal: o.signal } : {}), now }).then((g) => {
          attempts.push(...g.attempts);
          return g.genuine;
        });
        genuine.set(site.code, p);
      }
      return p;
    };
    const limit = pLimit(Math.max(1, o.triageConcurrency ?? 16));
    let done = 0;
    await Promise.all(
      live.map((c) =>
        limit(async () => {
          const site = byCode.get(c.sites[0]!)!;
          const facts = baseFacts(c, c.dns!);
          const evidence = [`${c.unicode}${c.unicode !== c.ascii ? ` (${c.ascii})` : ''}: A ${c.dns!.a.join(' ') || '-'}${c.dns!.ns.length ? `, NS ${c.dns!.ns.join(' ')}` : ''}${c.dns!.mx.length ? `, MX ${c.dns!.mx.join(' ')}` : ''}; made by ${c.fuzzers.join(', ')}`];
          let imitates = site;
          if (c.open && o.net && !o.signal?.aborted) {
            const gs = await Promise.all(c.sites.map((code) => genuineFor(byCode.get(code)!)));
            const t = await triage(c.ascii, { address: c.dns!.a[0] ?? c.dns!.aaaa[0] ?? null, ns: c.dns!.ns }, gs, o.net, { timeoutMs: o.timeoutMs, ...(o.signal ? { signal: o.signal } : {}), now });
            Object.assign(facts, t.facts, { triaged: true });
            evidence.push(...t.evidence);
            attempts.push(...t.attempts);
            imitates = t.imitates;
            c.score = t.score;
            c.decidedBy = t.signals;
            triaged++;
          } else {
            facts.triaged = false;
            if (c.closed) c.decidedBy = [`under the closed namespace ${toUnicode(c.suffix)}: another public body's name`];
          }
          c.imitates = imitates.code;
          observations.push({ scanner: SCANNER_ID, kind: 'lookalike.candidate', site: ref(imitates), target: c.ascii, locator: 'lookalike', facts, evidence, observedAt: at() });
          o.onProgress?.('triage', ++done, live.length);
        }),
      ),
    );
    elapsed.triage = Math.round(performance.now() - t2);
  }

  // Per site, the lookalike search itself: complete when every candidate's DNS was settled.
  if (o.dns) {
    const unsettled = new Map<string, number>();
    const generated = new Map<string, number>();
    for (const c of records)
      for (const code of c.sites) {
        generated.set(code, (generated.get(code) ?? 0) + 1);
        if (c.state === 'unknown') unsettled.set(code, (unsettled.get(code) ?? 0) + 1);
      }
    for (const site of sites) {
      const n = unsettled.get(site.code) ?? 0;
      const candidates = generated.get(site.code) ?? 0;
      attempts.push({ scanner: SCANNER_ID, site: ref(site), target: site.urls[0] ?? site.code, check: 'lookalikes', status: n ? 'unknown' : 'ok', ...(n ? { error: { code: 'EDNSUNKNOWN', message: `${n} of ${candidates} candidates could not be resolved` } } : {}), startedAt, durationMs: elapsed.resolve, covers: ['lookalike.candidate'] });
    }
  }
  const { findings, verdicts } = judgeRun({ rules, sites, observations, attempts, scanners: [SCANNER_ID] });
  const rulesById = new Map(rules.map((r) => [r.id, r]));
  // Candidates a rule could not decide (a page that could not be compared): unknown, never unrelated.
  const undetermined = new Set(verdicts.flatMap((v) => v.undetermined));
  const byTarget = new Map<string, Finding[]>();
  for (const f of findings) byTarget.set(f.target, [...(byTarget.get(f.target) ?? []), f]);
  const obsByTarget = new Map(observations.filter((x) => x.kind === 'lookalike.candidate').map((x) => [x.target, x]));
  for (const c of records) {
    const obs = obsByTarget.get(c.ascii);
    if (!obs) continue;
    const fs = byTarget.get(c.ascii) ?? [];
    c.findings = fs.map((f) => f.ruleId).sort();
    const undecided = rules.some((r) => undetermined.has(findingFingerprint(r.id, obs.site.code, obs.target, obs.locator)));
    c.classification = classOf(fs, rulesById) ?? (c.closed ? 'collision' : obs.facts.loaded === true && !undecided ? 'unrelated' : 'unknown');
    if (c.classification === 'unrelated' && c.decidedBy.length === 0) c.decidedBy = ['nothing of a registered site found on the page'];
    obs.facts.classification = c.classification;
    obs.facts.decidedBy = [...c.decidedBy];
  }

  const byClassification = Object.fromEntries(CLASSIFICATIONS.map((k) => [k, 0])) as Record<Classification, number>;
  for (const c of records) if (c.classification) byClassification[c.classification]++;
  elapsed.total = Math.round(performance.now() - t0);
  return {
    startedAt,
    finishedAt: now().toISOString(),
    candidates: records,
    wildcards,
    observations,
    attempts,
    findings,
    verdicts,
    stats: { generate: gen.stats, resolve: resolveStats, triaged, byClassification, elapsedMs: elapsed },
  };
}
