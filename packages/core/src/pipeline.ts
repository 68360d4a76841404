import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import { judgeRun } from './judge.js';
import { compareAttempts, compareFindings, siteOrder } from './order.js';
import { silentLogger } from './log.js';
import type { Attempt, Fact, Logger, NetClient, Observation, Registry, Rule, Scanner, ScanRun, Site } from './types.js';

export interface RunScanOptions {
  registry: Registry;
  /** Sites to scan (default: all of the registry). */
  sites?: Site[];
  scanners: Scanner[];
  rules: Rule[];
  net: NetClient;
  /** Sites scanned at once. */
  concurrency?: number;
  timeoutMs?: number;
  /** Extra trusted CAs (PEM file), passed to scanners as `ctx.caFile`. */
  caFile?: string;
  signal?: AbortSignal;
  log?: Logger;
  tool: { name: string; version: string };
  options?: Record<string, Fact>;
  now?: () => Date;
  /** Called after each (site, scanner) pair completes. */
  onProgress?: (done: number, total: number, site: Site) => void;
}

/**
 * Run every scanner over every site, then judge. A scanner that throws is
 * recorded as an `unknown` attempt (E_SCANNER_CRASH) and the run goes on;
 * when the signal aborts, the pairs not yet started are recorded as `unknown`
 * attempts (E_ABORTED) and everything gathered so far is kept.
 */
export async function runScan(o: RunScanOptions): Promise<ScanRun> {
  const now = o.now ?? (() => new Date());
  const log = o.log ?? silentLogger;
  const signal = o.signal ?? new AbortController().signal;
  // Every network operation of the run listens to this one signal.
  setMaxListeners(0, signal);
  const sites = o.sites ?? o.registry.sites;
  const startedAt = now().toISOString();
  const observations: Observation[] = [];
  const attempts: Attempt[] = [];
  // --concurrency: sites at once, each with all its scanners (per-host politeness is the scanners' own)
  const limit = pLimit(Math.max(1, o.concurrency ?? 16));
  const total = sites.length * o.scanners.length;
  let done = 0;
  const ctx = { net: o.net, registry: o.registry, timeoutMs: o.timeoutMs ?? 15_000, signal, log, now, ...(o.caFile ? { caFile: o.caFile } : {}) };

  await Promise.all(
    sites.map((site) =>
      limit(() =>
        Promise.all(o.scanners.map(async (scanner) => {
          const t0 = performance.now();
          const siteRef = { code: site.code, name: site.name };
          if (signal.aborted) {
            attempts.push({ scanner: scanner.id, site: siteRef, target: site.urls[0] ?? '', check: 'scan', status: 'unknown', error: { code: 'E_ABORTED', message: 'run interrupted before this check started' }, startedAt: now().toISOString(), durationMs: 0, covers: [...scanner.emits] });
          } else {
            try {
              const out = await scanner.scan(site, ctx);
              observations.push(...out.observations);
              attempts.push(...out.attempts);
            } catch (err) {
              log.error({ err, scanner: scanner.id, site: site.code }, 'scanner crashed');
              attempts.push({
                scanner: scanner.id,
                site: siteRef,
                target: site.urls[0] ?? '',
                check: 'scan',
                status: 'unknown',
                error: { code: 'E_SCANNER_CRASH', message: err instanceof Error ? err.message : String(err) },
                startedAt: new Date(Date.now() - (performance.now() - t0)).toISOString(),
                durationMs: Math.round(performance.now() - t0),
                covers: [...scanner.emits],
              });
            }
          }
          done++;
          o.onProgress?.(done, total, site);
        })),
      ),
    ),
  );

  const order = siteOrder(o.registry.sites);
  const judged = judgeRun({ rules: o.rules, sites, observations, attempts, scanners: o.scanners.map((s) => s.id) });
  const findings = judged.findings.sort(compareFindings(order));
  attempts.sort(compareAttempts(order));
  return {
    tool: o.tool,
    startedAt,
    finishedAt: now().toISOString(),
    registry: { file: o.registry.file, ...(o.registry.title ? { title: o.registry.title } : {}), sites: o.registry.sites.length },
    scanners: o.scanners.map((s) => s.id),
    options: o.options ?? {},
    sites,
    rules: o.rules,
    observations,
    attempts,
    findings,
    verdicts: judged.verdicts,
  };
}
