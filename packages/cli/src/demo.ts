import { loadRegistry, type LogLevel } from '@govscan/core';
import { startWorld } from '@govscan/testbed';
import { demoRegistryPath, demoWorld } from './demo-world.js';
import { scanCommand, type ScanCommandResult } from './scan.js';
import { reporters } from './tables.js';

export interface DemoOptions {
  out: string;
  logLevel: LogLevel;
  signal?: AbortSignal;
  progress?: NodeJS.WritableStream | null;
  stdout?: NodeJS.WritableStream;
}

/** Start the simulated world, scan it as an office would, print what was found, stop the world. */
export async function demoCommand(o: DemoOptions): Promise<ScanCommandResult> {
  const registry = await loadRegistry(demoRegistryPath);
  const t0 = performance.now();
  const { scenario, planted } = demoWorld(registry);
  const world = await startWorld(scenario);
  const out = o.stdout ?? process.stdout;
  try {
    out.write(
      `govscan demo: a simulated world on loopback with the ${registry.sites.length} sites of ${registry.title ?? registry.file}\n` +
        `  DNS ${world.resolver}, HTTP 127.0.0.1:${world.httpPort}, HTTPS 127.0.0.1:${world.httpsPort} (its own CA), started in ${Math.round(performance.now() - t0)} ms\n` +
        `  planted problems (${planted.length}):\n${planted.map((p) => `    ${p.code} ${p.seed}: ${p.how} → ${p.ruleId}`).join('\n')}\n\n` +
        `$ govscan scan --registry examples/yaan/registry.yaml --resolver ${world.resolver} ${world.connectTo.map((c) => `--connect-to ${c}`).join(' ')} --ca-file <world CA> --out ${o.out}\n\n`,
    );
    const t1 = performance.now();
    const result = await scanCommand(
      {
        registry: demoRegistryPath,
        resolver: world.resolver,
        connectTo: world.connectTo,
        caFile: world.caFile,
        out: o.out,
        formats: Object.keys(reporters),
        concurrency: 16,
        timeoutMs: 15_000,
        allowPrivateTargets: false,
        logLevel: o.logLevel,
        summary: true,
        stdout: out,
        progress: o.progress ?? null,
        ...(o.signal ? { signal: o.signal } : {}),
      },
      registry,
    );
    const missed = planted.filter((p) => !result.run.findings.some((f) => f.site.code === p.code && f.ruleId === p.ruleId));
    out.write(`\nscan took ${((performance.now() - t1) / 1000).toFixed(1)} s; planted problems found: ${planted.length - missed.length} of ${planted.length}\n`);
    for (const m of missed) out.write(`  missed: ${m.code} ${m.ruleId} (${m.how})\n`);
    return result;
  } finally {
    await world.stop();
  }
}
