import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  compareRuns,
  DEFAULT_PROBLEM_SEVERITY,
  isIncomplete,
  judgeSites,
  createLogger,
  defaultRulesDir,
  loadRegistry,
  loadRules,
  registeredHosts,
  runScan,
  selectSites,
  severityRank,
  toolVersion,
  UsageError,
  type LogLevel,
  type Registry,
  type Reporter,
  type ReportOptions,
  type ScanRun,
  type Severity,
} from '@govscan/core';
import { createNetClient, OPERATIONS_PER_SITE } from '@govscan/net';
import { checkDeadline, checkPreviousRun } from '../diff/run.js';
import { prepareOutDir } from '../../out-dir.js';
import { renderSummary } from '../../summary.js';
import { reporters, ruleScanners, scanners, type ReporterId, type ScannerId } from '../../tables.js';

export interface ScanCommandOptions {
  registry: string;
  scanners?: string[];
  sites?: string[];
  resolver?: string;
  connectTo?: string[];
  out: string;
  formats: string[];
  concurrency: number;
  timeoutMs: number;
  failOn?: Severity;
  allowPrivateTargets: boolean;
  caFile?: string;
  rulesDir?: string;
  logLevel: LogLevel;
  /** Print the summary table on stdout. */
  summary: boolean;
  /** Where progress goes (stderr when it is a TTY). */
  progress?: NodeJS.WritableStream | null;
  signal?: AbortSignal;
  /** Where the summary goes (default: process.stdout). */
  stdout?: NodeJS.WritableStream;
  /** Output folder of an earlier run to compare with (是否完成整改). */
  previous?: string;
  /** Deadline of the rectification notices: YYYY-MM-DD or a number of days. */
  deadline?: string;
  /** Lowest severity of a 突出问题 (default low). */
  problemSeverity?: Severity;
  /** The run's fetch memo and shared lookups (default on); off sends every request a scanner makes, for comparison. */
  fetchMemo?: boolean;
  /** Clock, for reproducible runs in tests. */
  now?: () => Date;
}

export interface ScanCommandResult {
  run: ScanRun;
  files: string[];
  exitCode: number;
}

/** Validate every input before any traffic is sent, so bad input costs nothing gathered. */
export function pickScanners(ids: string[] | undefined): ScannerId[] {
  if (!ids || ids.length === 0) return Object.keys(scanners) as ScannerId[];
  const unknown = ids.filter((id) => !(id in scanners));
  if (unknown.length) throw new UsageError(`--scanners: unknown scanner(s) ${unknown.join(', ')} (known: ${Object.keys(scanners).join(', ')})`);
  return ids as ScannerId[];
}

export function pickFormats(ids: string[]): ReporterId[] {
  const unknown = ids.filter((id) => !(id in reporters));
  if (unknown.length) throw new UsageError(`--format: unknown format(s) ${unknown.join(', ')} (known: ${Object.keys(reporters).join(', ')})`);
  return ids as ReporterId[];
}

export async function scanCommand(o: ScanCommandOptions, registry?: Registry): Promise<ScanCommandResult> {
  const log = createLogger(o.logLevel);
  const scannerIds = pickScanners(o.scanners);
  const formats = pickFormats(o.formats);
  const reg = registry ?? (await loadRegistry(o.registry));
  const sites = selectSites(reg, o.sites);
  const rules = await loadRules(o.rulesDir ?? defaultRulesDir, { scanners: ruleScanners });
  const selected = scannerIds.map((id) => scanners[id]);
  const activeRules = rules.filter((r) => scannerIds.includes(r.scanner as ScannerId));
  if (o.deadline !== undefined) checkDeadline(o.deadline);
  const previous = o.previous !== undefined ? await checkPreviousRun(o.previous) : undefined;
  await prepareOutDir(o.out);
  const net = createNetClient({
    ...(o.resolver ? { resolver: o.resolver } : {}),
    connectTo: o.connectTo ?? [],
    ...(o.caFile ? { caFile: o.caFile } : {}),
    allowPrivateTargets: o.allowPrivateTargets,
    registeredHosts: registeredHosts(reg),
    concurrency: o.concurrency * OPERATIONS_PER_SITE,
    timeoutMs: o.timeoutMs,
    userAgent: `govscan/${toolVersion} (government website census)`,
    ...(o.fetchMemo === false ? { memo: false } : {}),
  });
  log.info({ registry: reg.file, sites: sites.length, scanners: scannerIds, resolver: net.resolverLabel }, 'scan starting');

  const progress = o.progress ?? null;
  let run: ScanRun;
  try {
    run = await runScan({
      registry: reg,
      sites,
      scanners: selected,
      rules: activeRules,
      net,
      concurrency: o.concurrency,
      timeoutMs: o.timeoutMs,
      ...(o.caFile ? { caFile: o.caFile } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.now ? { now: o.now } : {}),
      log,
      tool: { name: 'govscan', version: toolVersion },
      options: {
        scanners: scannerIds,
        resolver: net.resolverLabel,
        connectTo: o.connectTo ?? [],
        timeoutMs: o.timeoutMs,
        concurrency: o.concurrency,
        allowPrivateTargets: o.allowPrivateTargets,
        failOn: o.failOn ?? null,
        ...(o.previous !== undefined ? { previous: o.previous } : {}),
        ...(o.deadline !== undefined ? { deadline: o.deadline } : {}),
        problemSeverity: o.problemSeverity ?? DEFAULT_PROBLEM_SEVERITY,
      },
      onProgress: progress
        ? (done, total, site) => progress.write(`\r\x1b[2K[${done}/${total}] ${site.code} ${site.name}`)
        : undefined,
    });
  } finally {
    if (progress) progress.write('\r\x1b[2K');
    await net.close();
  }

  const files: string[] = [];
  const reportOptions: ReportOptions = { ...(previous ? { previous } : {}), ...(o.deadline !== undefined ? { deadline: o.deadline } : {}), ...(o.problemSeverity ? { problemSeverity: o.problemSeverity } : {}) };
  // findings.json is the run's record (what --previous and diff read): always written.
  for (const id of formats.includes('json') ? formats : (['json', ...formats] as ReporterId[])) {
    const reporter: Reporter = reporters[id];
    if (reporter.write) {
      files.push(...(await reporter.write(run, o.out, reportOptions)));
      continue;
    }
    const file = path.join(o.out, reporter.fileName);
    await writeFile(file, reporter.render(run, reportOptions), 'utf8');
    files.push(file);
  }
  const judged = judgeSites(run, reportOptions);
  // --fail-on gates on problems: grades and facts (a TLS grade, TLCP support) never fail a run.
  const problem = new Set(run.rules.filter((r) => r.kind === 'problem').map((r) => r.id));
  const exitCode = o.failOn && run.findings.some((f) => problem.has(f.ruleId) && severityRank(f.severity) >= severityRank(o.failOn!)) ? 1 : isIncomplete(judged) ? 4 : 0;
  if (o.summary) (o.stdout ?? process.stdout).write(renderSummary(run, judged, previous ? compareRuns(previous, run, reportOptions) : undefined, previous) + renderWritten(o.out, files));
  log.info({ findings: run.findings.length, attempts: run.attempts.length, exitCode }, 'scan finished');
  return { run, files, exitCode };
}

/** The files written, one line each, those in sub-folders counted per folder. */
export function renderWritten(out: string, files: string[]): string {
  const lines: string[] = [];
  const folders = new Map<string, number>();
  for (const f of files) {
    const rel = path.relative(out, f);
    const top = rel.split(path.sep)[0]!;
    if (top === rel || top === '..') lines.push(`wrote ${f}`);
    else if (!folders.has(top)) {
      folders.set(top, 1);
      lines.push(`wrote ${path.join(out, top)}${path.sep}`);
    } else folders.set(top, folders.get(top)! + 1);
  }
  return lines.map((l) => (l.endsWith(path.sep) ? `${l} (${folders.get(path.basename(l.slice(0, -1)))} files)` : l)).join('\n') + '\n';
}
