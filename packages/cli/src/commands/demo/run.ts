import { access } from 'node:fs/promises';
import path from 'node:path';
import { GovscanError, loadRegistry, type LogLevel } from '@govscan/core';
import { startWorld } from '@govscan/testbed';
import { plantCounterfeits } from '../../demo/investigate.js';
import { lookalikeWorld, runLookalikeDemo } from '../../demo/lookalike.js';
import { demoRegistryPath, demoWorld } from '../../demo-world.js';
import { diffCommand } from '../diff/run.js';
import { investigateCommand } from '../investigate/run.js';
import { scanCommand, type ScanCommandResult } from '../scan/run.js';
import { reporters } from '../../tables.js';

export interface DemoOptions {
  out: string;
  logLevel: LogLevel;
  /** The next quarter: the census problems rectified, scanned against the earlier demo run in `out`. */
  nextQuarter?: boolean;
  signal?: AbortSignal;
  progress?: NodeJS.WritableStream | null;
  stdout?: NodeJS.WritableStream;
}

/**
 * Start the simulated world, do the quarter's work as the office would (scan,
 * reports, rectification notices; a reported counterfeit investigated), print
 * what was found, stop the world. With `nextQuarter`, the world after the
 * rectification, compared with the previous run: 是否完成整改.
 */
export async function demoCommand(o: DemoOptions): Promise<ScanCommandResult> {
  const registry = await loadRegistry(demoRegistryPath);
  const out = o.stdout ?? process.stdout;
  const scanDir = o.nextQuarter ? path.join(o.out, 'next-quarter') : o.out;
  if (o.nextQuarter) {
    try {
      await access(path.join(o.out, 'findings.json'));
    } catch {
      throw new GovscanError('E_USAGE', `demo --next-quarter compares with the previous demo run in ${o.out}: run 'govscan demo --out ${o.out}' first`, { exitCode: 2 });
    }
  }
  const t0 = performance.now();
  const { scenario, planted } = demoWorld(registry, new Date(), { fixed: o.nextQuarter ?? false });
  // The counterfeit the 2018 circular reports, found through a citizen's message, and a cloaking variant.
  const reported = o.nextQuarter ? [] : plantCounterfeits(scenario, registry);
  // Lookalike zones for the hunt: clones on China-specific names, a parked page, an unrelated site,
  // a wildcard zone, a collision under gov.cn, and a resolver that drops a share of queries.
  const lookalikes = o.nextQuarter ? null : lookalikeWorld(registry);
  if (lookalikes) for (const h of lookalikes.hosts) if (!scenario.hosts.some((x) => x.name === h.name)) scenario.hosts.push(h);
  const world = await startWorld(scenario);
  try {
    out.write(
      `govscan demo${o.nextQuarter ? ' --next-quarter' : ''}: a simulated world on loopback with the ${registry.sites.length} sites of ${registry.title ?? registry.file}\n` +
        `  DNS ${world.resolver}, HTTP 127.0.0.1:${world.httpPort}, HTTPS 127.0.0.1:${world.httpsPort} (its own CA), started in ${Math.round(performance.now() - t0)} ms\n` +
        (o.nextQuarter
          ? `  the next quarter: the census problems and the unreachable and slow sites rectified; naming, TLS and header problems left as they were\n\n`
          : `  planted problems (${planted.length}):\n${planted.map((p) => `    ${p.code} ${p.seed}: ${p.how} → ${p.ruleId}`).join('\n')}\n\n`) +
        `$ govscan scan --registry examples/yaan/registry.yaml --resolver ${world.resolver} ${world.connectTo.map((c) => `--connect-to ${c}`).join(' ')} --ca-file <world CA> --allow-private-targets --out ${scanDir}${o.nextQuarter ? ` --previous ${o.out}` : ''}\n\n`,
    );
    const t1 = performance.now();
    const result = await scanCommand(
      {
        registry: demoRegistryPath,
        resolver: world.resolver,
        connectTo: world.connectTo,
        caFile: world.caFile,
        out: scanDir,
        formats: Object.keys(reporters),
        // the next quarter is compared with the last one: 是否完成整改 in every report
        ...(o.nextQuarter ? { previous: o.out } : {}),
        // the census crawl is polite per host (2 requests at a time, 100 ms apart): many sites at once keeps it quick
        concurrency: 48,
        timeoutMs: 15_000,
        // the whole simulated internet is on loopback, the pages the sites link to as well
        allowPrivateTargets: true,
        logLevel: o.logLevel,
        summary: true,
        stdout: out,
        progress: o.progress ?? null,
        ...(o.signal ? { signal: o.signal } : {}),
      },
      registry,
    );
    const missed = planted.filter((p) => !result.run.findings.some((f) => f.site.code === p.code && f.ruleId === p.ruleId));
    out.write(`\nscan took ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    if (!o.nextQuarter) out.write(`; planted problems found: ${planted.length - missed.length} of ${planted.length}`);
    out.write('\n');
    for (const m of missed) out.write(`  missed: ${m.code} ${m.ruleId} (${m.how})\n`);

    if (o.nextQuarter) {
      out.write(`\n$ govscan diff ${o.out} ${scanDir}\n\n`);
      await diffCommand({ oldDir: o.out, newDir: scanDir, summary: true, stdout: out });
      return result;
    }

    // Hunt for counterfeits of every registered site.
    if (lookalikes && !o.signal?.aborted) {
      await runLookalikeDemo({ registryPath: demoRegistryPath, world, planted: lookalikes.planted, out: path.join(o.out, 'hunt'), stdout: out, ...(o.signal ? { signal: o.signal } : {}), progress: o.progress ?? null });
    }

    // A citizen reports a counterfeit: verify it, preserve evidence, write the dossier for the telecom authority.
    const casesDir = path.join(o.out, 'cases');
    for (const target of reported) {
      if (o.signal?.aborted) break;
      out.write(`\n$ govscan investigate ${target.url} --registry examples/yaan/registry.yaml --allow-private-targets --out ${casesDir}   # ${target.seed}\n`);
      await investigateCommand({
        url: target.url,
        registry,
        out: casesDir,
        resolver: world.resolver,
        connectTo: world.connectTo,
        caFile: world.caFile,
        allowPrivateTargets: true, // the simulated counterfeits live on loopback
        ...(o.signal ? { signal: o.signal } : {}),
        stdout: out,
      });
    }
    out.write(`\nNext: 'govscan demo --next-quarter --out ${o.out}' scans the world after the rectification and fills in 是否完成整改.\n`);
    return result;
  } finally {
    await world.stop();
  }
}
