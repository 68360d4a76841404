#!/usr/bin/env node
// Benchmark: `govscan scan` of the 41-site Ya'an registry against the simulated
// world, against a peer doing the same HTTP work with curl (the same URLs, both
// schemes, redirects followed, 16 at a time), in the same run.
//
//   pnpm bench:scan            (builds first)
//   node test/bench/scan.mjs [rounds]
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadRegistry } from '@govscan/core';
import { startWorld } from '@govscan/testbed';
import { demoRegistryPath, demoScenario, scanCommand } from 'govscan';

const rounds = Number(process.argv[2] ?? 5);
const registry = await loadRegistry(demoRegistryPath);
// The demo world without its planted problems: this measures throughput, not a 5.6 s delay.
const scenario = demoScenario(registry);
for (const h of scenario.hosts) for (const v of [h.http, h.https]) if (v && 'behaviour' in v) delete v.behaviour;
const world = await startWorld(scenario);
const out = await mkdtemp(path.join(os.tmpdir(), 'govscan-bench-'));

const urls = registry.sites.flatMap((s) => {
  const u = new URL(s.urls[0]);
  const other = new URL(s.urls[0]);
  other.protocol = u.protocol === 'https:' ? 'http:' : 'https:';
  return [u.href, other.href];
});

function curl(url) {
  const u = new URL(url);
  const port = u.protocol === 'https:' ? world.httpsPort : world.httpPort;
  const args = ['-s', '-o', '/dev/null', '-L', '--max-redirs', '10', '-m', '15', '--cacert', world.caFile,
    '--resolve', `${u.hostname}:${port}:127.0.0.1`, '--connect-to', `${u.hostname}:80:${u.hostname}:${world.httpPort}`,
    '--connect-to', `${u.hostname}:443:${u.hostname}:${world.httpsPort}`, '-w', '%{http_code}', url];
  return new Promise((resolve) => {
    const c = spawn('curl', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let o = '';
    c.stdout.on('data', (d) => (o += d));
    c.on('close', () => resolve(o));
  });
}

async function curlAll(concurrency = 16) {
  const queue = [...urls];
  const codes = [];
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (queue.length) codes.push(await curl(queue.shift()));
  }));
  return codes;
}

async function govscan(fetchMemo = true) {
  const r = await scanCommand({
    registry: demoRegistryPath, resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile,
    out, formats: ['json', 'sarif'], concurrency: 16, timeoutMs: 15000, allowPrivateTargets: false, logLevel: 'silent', summary: false, fetchMemo,
  }, registry);
  return r.run;
}

const haveCurl = await new Promise((res) => spawn('curl', ['--version'], { stdio: 'ignore' }).on('error', () => res(false)).on('close', (c) => res(c === 0)));
const g = [];
const c = [];
const nc = [];
const sent = { memo: 0, none: 0 };
try {
  await govscan(); // warm-up
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    let before = world.requests.length;
    const run = await govscan();
    g.push(performance.now() - t);
    if (i === 0) sent.memo = world.requests.length - before;
    t = performance.now();
    before = world.requests.length;
    await govscan(false);
    nc.push(performance.now() - t);
    if (i === 0) sent.none = world.requests.length - before;
    if (i === 0) {
      const bad = run.attempts.filter((a) => a.status !== 'ok' && !(a.check === 'https:GET' && a.error?.code === 'ETLS'));
      console.log(`govscan: ${run.sites.length} sites, ${run.attempts.length} checks (${bad.length} unexpected failures), ${run.findings.length} findings`);
    }
    if (haveCurl) {
      t = performance.now();
      await curlAll();
      c.push(performance.now() - t);
    }
  }
} finally {
  await world.stop();
  await rm(out, { recursive: true, force: true });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`rounds: ${rounds}, machine: ${os.cpus().length} cores, node ${process.version}`);
console.log(`govscan scan, 41 sites (DNS A+AAAA, both schemes, reports written): median ${median(g).toFixed(0)} ms  [${g.map((x) => x.toFixed(0)).join(', ')}]  ${sent.memo} HTTP requests`);
console.log(`the same scan with every cache off (no fetch memo, no shared lookups): median ${median(nc).toFixed(0)} ms  [${nc.map((x) => x.toFixed(0)).join(', ')}]  ${sent.none} HTTP requests`);
console.log(`ratio cached / uncached: ${(median(g) / median(nc)).toFixed(2)} in time, ${(sent.memo / sent.none).toFixed(2)} in requests`);
if (haveCurl) {
  console.log(`curl, the same ${urls.length} fetches, 16 at a time:                      median ${median(c).toFixed(0)} ms  [${c.map((x) => x.toFixed(0)).join(', ')}]`);
  console.log(`ratio govscan / curl: ${(median(g) / median(c)).toFixed(2)}`);
} else console.log('curl not found: peer skipped (apt-get install curl)');
