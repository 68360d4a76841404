#!/usr/bin/env node
// govscan hunt vs dnstwist, against the same loopback DNS server.
//
//   pnpm build && node test/bench/hunt/run.mjs
//
// Starts a dns2 server holding the simulated world's answers (the demo's
// lookalike zones: the planted counterfeits of www.yaan.gov.cn, a wildcard
// zone, a collision …) on 127.0.0.1:53 (dnstwist's --nameservers takes no
// port; BENCH_DNS_PORT overrides for govscan-only runs), runs dnstwist (the
// Debian package, installed with apt-get if missing) and govscan's generator
// and multiplexed resolver on the same domains, and prints candidates,
// candidates per second (whole process, start to exit) and recall on the
// planted set, with 0 ms and 50 ms added to every answer and with 5% of the
// queries dropped; then the generation time for all 41 registry sites.
// Everything stays on loopback; every run is bounded in time.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const here = fileURLToPath(new URL('./', import.meta.url));
if (!existsSync(`${root}packages/cli/dist/demo/lookalike.js`)) {
  console.error('run `pnpm build` first');
  process.exit(2);
}
const { loadRegistry } = await import(`${root}packages/core/dist/index.js`);
const { generate } = await import(`${root}scanners/lookalike/dist/index.js`);
const { demoRegistryPath } = await import(`${root}packages/cli/dist/index.js`);
const { lookalikeWorld } = await import(`${root}packages/cli/dist/demo/lookalike.js`);

const PORT = Number(process.env.BENCH_DNS_PORT ?? 53);
const RUN_LIMIT_MS = 15 * 60_000;

function ensureDnstwist() {
  if (spawnSync('dnstwist', ['--help'], { stdio: 'ignore' }).status === 0) return true;
  console.error('dnstwist missing: installing the Debian package');
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 300_000 }).status === 0;
  if (!apt(['install', '-y', '-qq', 'dnstwist'])) apt(['update', '-qq']) && apt(['install', '-y', '-qq', 'dnstwist']);
  return spawnSync('dnstwist', ['--help'], { stdio: 'ignore' }).status === 0;
}

async function startServer(env) {
  const child = spawn(process.execPath, [`${here}dns-server.mjs`], { env: { ...process.env, PORT: String(PORT), ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('DNS server did not start')), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`DNS server exited (${code}); is port ${PORT} free, and are you root?`)));
  });
  return {
    stop: () =>
      new Promise((resolve) => {
        let tail = '';
        child.stdout.on('data', (d) => (tail += d));
        child.removeAllListeners('exit');
        child.on('exit', () => resolve(JSON.parse(tail.trim().split('\n').pop() || '{}')));
        child.kill('SIGTERM');
      }),
  };
}

function timed(cmd, args) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 512 << 20, timeout: RUN_LIMIT_MS });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.error}`);
  return { ms, stdout: r.stdout };
}

// dnstwist's start-up and generation alone: `--format list` prints the permutations without resolving them.
const listMs = new Map();
function dnstwistListMs(domain) {
  if (!listMs.has(domain)) {
    const runs = [0, 1, 2].map(() => timed('dnstwist', ['--format', 'list', domain]).ms).sort((a, b) => a - b);
    listMs.set(domain, runs[1]);
  }
  return listMs.get(domain);
}

function runDnstwist(domains, threads) {
  let ms = 0;
  let resolveMs = 0;
  const registered = new Set();
  const generated = new Set();
  let candidates = 0;
  for (const d of domains) {
    const r = timed('dnstwist', ['--nameservers', '127.0.0.1', '--threads', String(threads), '--format', 'json', d]);
    ms += r.ms;
    resolveMs += Math.max(1, r.ms - dnstwistListMs(d));
    const rows = JSON.parse(r.stdout);
    candidates += rows.length;
    for (const row of rows) {
      generated.add(row.domain);
      const has = (k) => Array.isArray(row[k]) && row[k].length > 0 && !row[k][0].startsWith('!');
      if (has('dns_a') || has('dns_aaaa') || has('dns_ns') || has('dns_mx')) registered.add(row.domain);
    }
  }
  return { ms, resolveMs, candidates, registered, generated };
}

function runGovscan(codes) {
  const r = timed(process.execPath, [`${here}govscan-dns.mjs`, `127.0.0.1:${PORT}`, codes.join(','), '256']);
  const out = JSON.parse(r.stdout);
  const exists = new Set(Object.entries(out.states).filter(([, s]) => s === 'exists' || s === 'wildcard').map(([n]) => n));
  const nxdomain = new Set(Object.entries(out.states).filter(([, s]) => s === 'nxdomain').map(([n]) => n));
  return { ms: r.ms, candidates: out.candidates, all: new Set(Object.keys(out.states)), exists, nxdomain, unknown: out.stats.unknown, queries: out.queries, resolveMs: out.resolveMs, generateMs: out.generateMs };
}

const registry = await loadRegistry(demoRegistryPath);
const planted = lookalikeWorld(registry).planted.filter((p) => p.classification !== 'unknown');
const eleven = planted.filter((p) => p.classification === 'counterfeit');
const hostOf = (s) => new URL(s.urls[0]).hostname;
// dnstwist is given what it is usually given: the registrable domain of a portal, the host of a department
const registrable = (s) => hostOf(s).replace(/^www\./, '');
const portal = registry.sites.find((s) => s.kind === 'portal');
const jyj = registry.sites.find((s) => hostOf(s).startsWith('jyj.'));
const counties = registry.sites.filter((s) => s.kind === 'county-portal').slice(0, 2);

if (!ensureDnstwist()) {
  console.error('dnstwist is not available; cannot compare');
  process.exit(2);
}

const configs = [
  { label: '0 ms', env: { DELAY_MS: '0' }, sites: [portal, jyj, ...counties], threads: [6] },
  { label: '50 ms', env: { DELAY_MS: '50' }, sites: [portal, jyj], threads: [6, 50] },
  { label: '5% dropped', env: { DROP: '0.05' }, sites: [portal, jyj], threads: [6] },
];

const rows = [];
for (const c of configs) {
  const domains = c.sites.map(registrable);
  for (const threads of c.threads) {
    const server = await startServer(c.env);
    try {
      const d = runDnstwist(domains, threads);
      const hit = planted.filter((p) => d.registered.has(p.ascii));
      rows.push({ config: c.label, tool: `dnstwist -t ${threads}`, domains: domains.join(' '), candidates: d.candidates, seconds: d.ms / 1000, resolveSeconds: d.resolveMs / 1000, generated: planted.filter((p) => d.generated.has(p.ascii)).length, recall: `${hit.length}/${planted.length}`, eleven: `${eleven.filter((p) => d.registered.has(p.ascii)).length}/${eleven.length}`, plantedNx: planted.filter((p) => d.generated.has(p.ascii) && !d.registered.has(p.ascii)).length });
    } finally {
      await server.stop();
    }
  }
  const server = await startServer(c.env);
  try {
    const g = runGovscan(c.sites.map((s) => s.code));
    const hit = planted.filter((p) => g.exists.has(p.ascii));
    rows.push({ config: c.label, tool: 'govscan', domains: domains.join(' '), candidates: g.candidates, seconds: g.ms / 1000, resolveSeconds: g.resolveMs / 1000, generated: planted.filter((p) => g.all.has(p.ascii)).length, recall: `${hit.length}/${planted.length}`, eleven: `${eleven.filter((p) => g.exists.has(p.ascii)).length}/${eleven.length}`, plantedNx: planted.filter((p) => g.nxdomain.has(p.ascii)).length, unknown: g.unknown, queries: g.queries });
  } finally {
    const s = await server.stop();
    rows.at(-1).serverQueries = s.queries;
  }
}

// Generation for every site of the registry, in this process: the first run (cold) and the median of five.
const gen = [];
let count = 0;
for (let i = 0; i < 6; i++) {
  const t0 = performance.now();
  count = generate(registry).candidates.length;
  gen.push(performance.now() - t0);
}
const warm = gen.slice(1).sort((a, b) => a - b)[2];

const pad = (s, n) => String(s).padEnd(n);
console.log(`\ngovscan hunt vs dnstwist ${execFileSync('dpkg-query', ['-W', '-f=${Version}', 'dnstwist'], { encoding: 'utf8' })}, same dns2 server on 127.0.0.1:${PORT}, ${(await import('node:os')).cpus().length} cores\n`);
console.log([pad('answers', 11), pad('tool', 15), pad('candidates', 11), pad('wall s', 7), pad('cand/s', 7), pad('ratio', 7), pad('resolve s', 10), pad('cand/s', 7), pad('ratio', 7), pad('made', 6), pad('found', 7), pad('the 11', 7), 'made but nxdomain'].join(' '));
for (const r of rows) {
  const rate = r.candidates / r.seconds;
  const rrate = r.candidates / r.resolveSeconds;
  const base = rows.find((x) => x.config === r.config && x.tool === 'dnstwist -t 6');
  const ratio = base ? rate / (base.candidates / base.seconds) : 1;
  const rratio = base ? rrate / (base.candidates / base.resolveSeconds) : 1;
  console.log([pad(r.config, 11), pad(r.tool, 15), pad(r.candidates, 11), pad(r.seconds.toFixed(1), 7), pad(Math.round(rate), 7), pad(`${ratio.toFixed(1)}x`, 7), pad(r.resolveSeconds.toFixed(2), 10), pad(Math.round(rrate), 7), pad(`${rratio.toFixed(1)}x`, 7), pad(`${r.generated}`, 6), pad(r.recall, 7), pad(r.eleven, 7), String(r.plantedNx)].join(' '));
}
console.log('\nwall: the whole process, start to exit. resolve: dnstwist\'s wall minus its `--format list` run (start-up and generation, median of 3);');
console.log('govscan\'s resolution phase (A, then AAAA/NS/MX of the names that exist, retries, wildcard probes), start-up and generation excluded.');
console.log('made: planted names the tool generated; found: planted names it reports as registered (recall); made but nxdomain: generated, yet reported as not registered.');
console.log(`\ndomains: ${configs.map((c) => `${c.label}: ${c.sites.map(registrable).join(', ')}`).join('; ')}`);
console.log(`planted set: ${planted.length} live lookalikes of www.yaan.gov.cn and jyj.yaan.gov.cn (the 11 counterfeit names, a login page, a parked and an unrelated name, a defensive registration, a gov.cn collision, 2 names under a wildcard zone)`);
console.log(`generation, all ${registry.sites.length} registry sites: ${count} candidates, ${Math.round(gen[0])} ms cold, ${Math.round(warm)} ms warm (median of 5)`);
