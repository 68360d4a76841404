/**
 * `govscan hunt` and `govscan untwist`: the lookalike hunter's commands.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import net from 'node:net';
import {
  createLogger,
  defaultRulesDir,
  GovscanError,
  loadRegistry,
  loadRules,
  registeredHosts,
  selectSites,
  severityRank,
  toCsv,
  toolVersion,
  UsageError,
  type Fact,
  type LogLevel,
  type Registry,
  type ScanRun,
  type Severity,
} from '@govscan/core';
import { createNetClient, MuxResolver, OPERATIONS_PER_SITE, parseHostPort } from '@govscan/net';
import {
  candidatesCsv,
  candidatesDocument,
  FUZZER_IDS,
  hunt,
  lookalike,
  parseDomainList,
  sortCandidates,
  untwister,
  type FuzzerId,
  type HuntResult,
  type UntwistResult,
} from '@govscan/scanner-lookalike';
import { prepareOutDir } from '../../out-dir.js';
import { reporters, ruleScanners } from '../../tables.js';
import { clip, table } from '../../text.js';



export interface HuntCommandOptions {
  registry: string;
  sites?: string[];
  /** HOST:PORT of DNS servers; empty: the system's resolvers. */
  resolvers?: string[];
  fuzzers?: string[];
  out: string;
  connectTo?: string[];
  allowPrivateTargets?: boolean;
  caFile?: string;
  rulesDir?: string;
  /** DNS queries in flight (default 256). */
  concurrency?: number;
  /** Live candidates fetched at once (default 16). */
  triageConcurrency?: number;
  /** Timeout of each HTTP(S) operation (default 15000). */
  timeoutMs?: number;
  /** Timeout of one DNS query, retries included (default 5000). */
  dnsTimeoutMs?: number;
  failOn?: Severity;
  generateOnly?: boolean;
  logLevel?: LogLevel;
  /** Print the summary on stdout (default true). */
  summary?: boolean;
  progress?: NodeJS.WritableStream | null;
  signal?: AbortSignal;
  stdout: NodeJS.WritableStream;
}

export function pickFuzzers(ids: string[] | undefined): FuzzerId[] | undefined {
  if (!ids || ids.length === 0) return undefined;
  const unknown = ids.filter((id) => !(FUZZER_IDS as readonly string[]).includes(id));
  if (unknown.length) throw new UsageError(`--fuzzers: unknown fuzzer(s) ${unknown.join(', ')} (known: ${FUZZER_IDS.join(', ')})`);
  return ids as FuzzerId[];
}

function checkResolvers(specs: string[]): string[] {
  for (const spec of specs) {
    let host: string;
    try {
      host = parseHostPort(spec).host;
    } catch (err) {
      throw new UsageError(`--resolver: ${(err as Error).message}`);
    }
    if (!net.isIP(host)) throw new UsageError(`--resolver: must be an IP address and port, got ${JSON.stringify(spec)}`);
  }
  return specs;
}

/** findings.json and findings.sarif take a ScanRun: the hunt's, with one scanner, `lookalike`. */
export function huntRun(registry: Registry, result: HuntResult, rules: ScanRun['rules'], options: Record<string, Fact>, sites: Registry['sites']): ScanRun {
  return {
    tool: { name: 'govscan', version: toolVersion },
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    registry: { file: registry.file, ...(registry.title ? { title: registry.title } : {}), sites: registry.sites.length },
    scanners: ['lookalike'],
    options,
    sites,
    rules,
    observations: result.observations,
    attempts: result.attempts,
    findings: result.findings,
    verdicts: result.verdicts,
  };
}

function renderHuntSummary(result: HuntResult, registry: Registry): string {
  const shown = sortCandidates(result.candidates).filter((c) => c.classification && c.classification !== 'wildcard' && c.classification !== 'unrelated');
  const name = (code: string | null): string => (code ? (registry.sites.find((s) => s.code === code)?.name ?? code) : '-');
  const rows = shown.slice(0, 60).map((c, i) => [
    String(i + 1),
    c.classification!,
    c.unicode === c.ascii ? c.unicode : `${c.unicode} (${c.ascii})`,
    c.score === null ? '-' : String(c.score),
    `${c.imitates ?? c.sites[0]} ${name(c.imitates ?? c.sites[0] ?? null)}`,
    c.decidedBy.slice(0, 3).join('; '),
  ]);
  const s = result.stats;
  const byClass = Object.entries(s.byClassification).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(', ') || 'none alive';
  const lines = [
    rows.length ? table(['#', 'class', 'domain', 'score', 'imitates', 'signals'], rows, [0, 0, 48, 0, 30, 70]) : 'no live lookalike found',
    ...(shown.length > rows.length ? [`… and ${shown.length - rows.length} more in candidates.json`] : []),
    '',
    `${s.generate.sites} sites, ${s.generate.candidates} candidates (${s.generate.registryInvalid} refused by their registry, ${s.generate.ownZone} the registry's own) generated in ${s.elapsedMs.generate} ms`,
  ];
  if (s.resolve) {
    lines.push(
      `resolved in ${(s.elapsedMs.resolve / 1000).toFixed(1)} s (${Math.round((s.resolve.names / Math.max(1, s.elapsedMs.resolve)) * 1000)} names/s, ${s.resolve.queries} queries): ${s.resolve.exists} exist, ${s.resolve.nxdomain} nxdomain, ${s.resolve.unknown} unknown; ${s.resolve.wildcardZones} wildcard zone(s) covering ${s.resolve.wildcardNames} name(s)`,
      `${s.triaged} live candidate(s) fetched and compared with the genuine sites in ${(s.elapsedMs.triage / 1000).toFixed(1)} s`,
      `classified: ${byClass}; ${result.findings.length} finding(s)`,
    );
    for (const w of result.wildcards) lines.push(`wildcard: *.${w.zone} answers ${[...w.a, ...w.aaaa].join(' ') || '(no address)'} for any name; ${w.names} candidate(s) exist only through it`);
  }
  return `${lines.join('\n')}\n`;
}

export async function huntCommand(o: HuntCommandOptions): Promise<number> {
  const log = createLogger(o.logLevel ?? 'warn');
  const fuzzerIds = pickFuzzers(o.fuzzers);
  const resolvers = checkResolvers(o.resolvers ?? []);
  const registry = await loadRegistry(o.registry);
  const sites = selectSites(registry, o.sites);
  const rules = (await loadRules(o.rulesDir ?? defaultRulesDir, { scanners: ruleScanners })).filter((r) => r.scanner === lookalike.id);
  await prepareOutDir(o.out);
  const timeoutMs = o.timeoutMs ?? 15_000;
  const triageConcurrency = o.triageConcurrency ?? 16;
  const netClient = o.generateOnly
    ? null
    : createNetClient({
        ...(resolvers[0] ? { resolver: resolvers[0] } : {}),
        connectTo: o.connectTo ?? [],
        ...(o.caFile ? { caFile: o.caFile } : {}),
        allowPrivateTargets: o.allowPrivateTargets ?? false,
        registeredHosts: registeredHosts(registry),
        concurrency: triageConcurrency * OPERATIONS_PER_SITE,
        timeoutMs,
        userAgent: `govscan/${toolVersion} (government website census)`,
      });
  const mux = !o.generateOnly && resolvers.length > 0 ? new MuxResolver({ servers: resolvers, maxInFlight: o.concurrency ?? 256 }) : null;
  const progress = o.progress ?? null;
  let result: HuntResult;
  try {
    result = await hunt({
      registry,
      sites,
      ...(fuzzerIds ? { fuzzers: fuzzerIds } : {}),
      dns: o.generateOnly ? null : (mux ?? netClient),
      net: netClient,
      rules,
      dnsConcurrency: o.concurrency ?? 256,
      triageConcurrency,
      timeoutMs,
      dnsTimeoutMs: o.dnsTimeoutMs ?? 5000,
      ...(o.signal ? { signal: o.signal } : {}),
      log,
      ...(progress ? { onProgress: (phase: string, done: number, total: number) => progress.write(`\r\x1b[2K${phase} ${done}/${total}`) } : {}),
    });
  } finally {
    if (progress) progress.write('\r\x1b[2K');
    mux?.close();
    await netClient?.close();
  }

  const options: Record<string, Fact> = {
    sites: o.sites ?? null,
    resolvers: mux ? resolvers : netClient ? [netClient.resolverLabel] : [],
    fuzzers: fuzzerIds ?? FUZZER_IDS,
    connectTo: o.connectTo ?? [],
    allowPrivateTargets: o.allowPrivateTargets ?? false,
    concurrency: o.concurrency ?? 256,
    triageConcurrency,
    timeoutMs,
    dnsTimeoutMs: o.dnsTimeoutMs ?? 5000,
    generateOnly: o.generateOnly ?? false,
    failOn: o.failOn ?? null,
  };
  const files: [string, string][] = [
    ['candidates.json', `${JSON.stringify(candidatesDocument({ tool: { name: 'govscan', version: toolVersion }, registry, sites, options, result }), null, 2)}\n`],
    ['candidates.csv', candidatesCsv(result.candidates)],
  ];
  const run = huntRun(registry, result, rules, options, sites);
  for (const reporter of [reporters.json, reporters.sarif]) files.push([reporter.fileName, reporter.render(run)]);
  const written: string[] = [];
  for (const [name, text] of files) {
    const file = path.join(o.out, name);
    await writeFile(file, text, 'utf8');
    written.push(file);
  }
  if (o.summary !== false) o.stdout.write(renderHuntSummary(result, registry) + written.map((f) => `wrote ${f}\n`).join(''));
  log.info({ candidates: result.candidates.length, findings: result.findings.length }, 'hunt finished');
  return o.failOn && result.findings.some((f) => severityRank(f.severity) >= severityRank(o.failOn!)) ? 1 : 0;
}

export interface UntwistCommandOptions {
  registry: string;
  /** A file of domains, or '-' for standard input. */
  input: string;
  format?: 'table' | 'json' | 'csv';
  minScore?: number;
  failOnMatch?: boolean;
  /** Where '-' reads from (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

export async function untwistCommand(o: UntwistCommandOptions): Promise<number> {
  const format = o.format ?? 'table';
  if (!['table', 'json', 'csv'].includes(format)) throw new UsageError(`--format: expected table, json or csv, got ${JSON.stringify(format)}`);
  const minScore = o.minScore ?? 0;
  if (!Number.isInteger(minScore) || minScore < 0 || minScore > 100) throw new UsageError(`--min-score: expected a whole number from 0 to 100, got ${JSON.stringify(o.minScore)}`);
  const registry = await loadRegistry(o.registry);
  let text: string;
  try {
    text = o.input === '-' ? await readAll(o.stdin ?? process.stdin) : await readFile(o.input, 'utf8');
  } catch (err) {
    throw new GovscanError('E_INPUT_READ', `cannot read ${o.input} (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`, { exitCode: 2 });
  }
  const u = untwister(registry);
  const results: UntwistResult[] = parseDomainList(text)
    .map(u.untwist)
    .filter((r) => r.score >= minScore)
    .sort((a, b) => b.score - a.score || (a.input < b.input ? -1 : a.input > b.input ? 1 : 0));
  if (format === 'json') {
    o.stdout.write(`${JSON.stringify({ tool: { name: 'govscan', version: toolVersion }, registry: { file: registry.file, sites: registry.sites.length }, candidates: u.generated.stats.candidates, results }, null, 2)}\n`);
  } else if (format === 'csv') {
    const cols = ['input', 'domain', 'ascii', 'score', 'via', 'site_code', 'site_name', 'matched', 'fuzzers', 'similarity', 'suffix', 'open'];
    // stdout, for a pipe or a file: no byte-order mark, formulas defused all the same.
    o.stdout.write(toCsv(cols, results.map((r) => [r.input, r.domain, r.ascii, r.score, r.via, r.site?.code, r.site?.name, r.matched, r.fuzzers, r.similarity, r.suffix, r.open]), { bom: false }));
  } else {
    const rows = results.map((r) => [String(r.score), r.domain ?? `${r.input} (not a host name)`, r.via ?? '-', r.site ? `${r.site.code} ${r.site.name}` : '-', r.matched ? `${r.matched}: ${r.fuzzers.join(',')}` : r.similarity !== null ? `similarity ${r.similarity}` : '']);
    o.stdout.write(`${table(['score', 'domain', 'via', 'site', 'why'], rows.map((r) => r.map((c) => clip(c, 60))))}\n\n${results.length} domain(s) scored against ${registry.sites.length} sites (${u.generated.stats.candidates} generated candidates)\n`);
  }
  return o.failOnMatch && results.some((r) => r.via === 'generated') ? 1 : 0;
}
