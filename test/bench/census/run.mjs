#!/usr/bin/env node
// Benchmark: the census scanner over a 1,000-site simulated registry (every page 20 links:
// 5 columns in the nav and 15 dated items), reporting sites per minute and peak memory of
// the scanning process. The simulated world runs in a child process, so the memory measured
// is govscan's. As a peer in the same run: a naive sequential crawler (node:http, one request
// at a time, no politeness, no robots.txt, no link check beyond a GET of each page) over a
// sample of the sites, in this same process.
//
//   pnpm build && node test/bench/census/run.mjs [sites=1000] [concurrency=64] [peerSites=30]
//
// Targets (issue 6): at least 300 sites per minute and under 500 MB on a 2-core machine.
import { fork } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultRulesDir, loadRules, parseRegistry, runScan, silentLogger } from '@govscan/core';
import { createNetClient } from '@govscan/net';
import { censusReporter } from '@govscan/report-census';
import { createCensusScanner } from '@govscan/scanner-census';
import { scanCommand } from 'govscan';

const here = path.dirname(fileURLToPath(import.meta.url));
const SITES = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.argv[3] ?? 64);
const PEER_SITES = Number(process.argv[4] ?? 30);

if (process.argv[2] === '--world') {
  // ---- child: the simulated world --------------------------------------------------------
  const { startWorld } = await import('@govscan/testbed');
  const n = Number(process.argv[3]);
  const now = new Date();
  const day = (k) => new Date(now.getTime() + 8 * 3600_000 - k * 86_400_000).toISOString().slice(0, 10);
  const cols = ['ywdt', 'tzgg', 'zcwj', 'zwgk', 'gzdt'];
  const colNames = ['要闻动态', '通知公告', '政策文件', '政务公开', '工作动态'];
  const nav = `<div class="nav"><ul>${cols.map((c, i) => `<li><a href="/col/${c}/">${colNames[i]}</a></li>`).join('')}</ul></div>`;
  const list = (from, label) =>
    `<div class="main"><ul class="list">${Array.from({ length: 15 }, (_, k) => {
      const a = (from + k) % 30;
      return `<li><a href="/art/${a}.html">${label}第${a}号信息的标题文字</a><span class="date">${day(a % 10)}</span></li>`;
    }).join('')}</ul></div>`;
  const page = (title, body) => `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${title}</title></head><body>${nav}${body}<div class="footer"><p>版权所有</p></div></body></html>`;
  const hosts = [];
  for (let i = 0; i < n; i++) {
    const name = `s${String(i).padStart(4, '0')}.bench.gov.cn`;
    const pages = { '/': { body: page(`网站${i}`, list(0, `网站${i}`)) } };
    cols.forEach((c, k) => (pages[`/col/${c}/`] = { body: page(colNames[k], `<meta name="ColumnName" content="${colNames[k]}">${list(k * 5, colNames[k])}`) }));
    for (let a = 0; a < 30; a++) pages[`/art/${a}.html`] = { body: page(`文章${a}`, `<div class="article"><h1>网站${i}第${a}号信息</h1><p>${'正文'.repeat(40)}${i}-${a}</p></div>${list(a + 1, '相关')}`) };
    hosts.push({ name, http: { pages }, https: null });
  }
  const world = await startWorld({ hosts });
  process.send({ resolver: world.resolver, connectTo: world.connectTo, httpPort: world.httpPort });
  process.on('message', async (m) => {
    if (m === 'stop') {
      const rss = process.resourceUsage().maxRSS;
      await world.stop();
      process.send({ stopped: true, maxRssKb: rss, requests: world.requests.length });
      process.exit(0);
    }
  });
} else {
  // ---- parent: govscan -------------------------------------------------------------------
  const child = fork(fileURLToPath(import.meta.url), ['--world', String(SITES)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const info = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (c) => reject(new Error(`world exited ${c}`)));
  });
  const registryYaml = `version: 1\ntitle: bench\nsites:\n${Array.from({ length: SITES }, (_, i) => `  - { code: "511800${String(i).padStart(4, '0')}", name: 网站${i}, unit: 单位${i}, kind: department, division: "511800", urls: [http://s${String(i).padStart(4, '0')}.bench.gov.cn/] }`).join('\n')}\n`;
  const registry = parseRegistry(registryYaml, 'bench.yaml');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'govscan-bench-census-'));
  const rulesDir = path.join(dir, 'rules');
  await mkdir(rulesDir);
  await copyFile(path.join(defaultRulesDir, 'census.yaml'), path.join(rulesDir, 'census.yaml'));

  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const sampler = setInterval(sample, 100);
  try {
    const t0 = performance.now();
    const r = await scanCommand(
      { registry: 'bench.yaml', scanners: ['census'], resolver: info.resolver, connectTo: info.connectTo, out: dir, formats: ['json'], concurrency: CONCURRENCY, timeoutMs: 15_000, allowPrivateTargets: false, logLevel: 'silent', summary: false, rulesDir },
      registry,
    );
    const scanMs = performance.now() - t0;
    const t1 = performance.now();
    await censusReporter.write(r.run, dir);
    const reportMs = performance.now() - t1;
    sample();
    clearInterval(sampler);
    const bad = r.run.attempts.filter((a) => a.status !== 'ok');
    const links = r.run.observations.filter((o) => o.kind === 'census.link').length;

    // ---- the same engine with politeness off (no interval, 8 requests per host), for what the engine costs alone ----
    const engineSites = registry.sites.slice(0, Math.min(SITES, 300));
    const net = createNetClient({ resolver: info.resolver, connectTo: info.connectTo, registeredHosts: engineSites.map((x) => new URL(x.urls[0]).hostname), concurrency: 256, timeoutMs: 15_000 });
    const te = performance.now();
    const engineRun = await runScan({ registry, sites: engineSites, scanners: [createCensusScanner({ perHostIntervalMs: 0, perHostConcurrency: 8, probeIntervalMs: 0 })], rules: await loadRules(rulesDir), net, concurrency: CONCURRENCY, timeoutMs: 15_000, log: silentLogger, tool: { name: 'govscan', version: 'bench' } });
    const engineMs = performance.now() - te;
    await net.close();

    // ---- peer: a naive sequential crawler ---------------------------------------------
    const get = (host, p) =>
      new Promise((resolve) => {
        const req = http.get({ host: '127.0.0.1', port: info.httpPort, path: p, headers: { host } }, (res) => {
          const chunks = [];
          res.on('data', (d) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', () => resolve({ status: 0, body: '' }));
      });
    const tp = performance.now();
    let peerRequests = 0;
    for (let i = 0; i < PEER_SITES; i++) {
      const host = `s${String(i).padStart(4, '0')}.bench.gov.cn`;
      const seen = new Set(['/']);
      const home = await get(host, '/');
      peerRequests++;
      const level1 = [...home.body.matchAll(/href="(\/[^"]*)"/g)].map((m) => m[1]).filter((u) => !seen.has(u) && seen.add(u));
      for (const u of level1) {
        const pg = await get(host, u);
        peerRequests++;
        for (const m of pg.body.matchAll(/href="(\/[^"]*)"/g)) {
          if (seen.has(m[1])) continue;
          seen.add(m[1]);
          await get(host, m[1]);
          peerRequests++;
        }
      }
    }
    const peerMs = performance.now() - tp;

    const perMin = (SITES / scanMs) * 60_000;
    const peerPerMin = (PEER_SITES / peerMs) * 60_000;
    console.log(`machine: ${os.cpus().length} cores, node ${process.version}; world in a child process`);
    console.log(`govscan census: ${SITES} sites in ${(scanMs / 1000).toFixed(1)} s = ${perMin.toFixed(0)} sites/min (target >= 300), concurrency ${CONCURRENCY}, politeness 2 requests/host, 100 ms apart`);
    console.log(`  ${r.run.observations.length} observations (${links} links and images checked), ${r.run.findings.length} findings, ${r.run.attempts.length} checks (${bad.length} not ok${bad.length ? `: ${[...new Set(bad.map((a) => `${a.check}:${a.error?.code}`))].slice(0, 5).join(' ')}` : ''})`);
    console.log(`  reports: findings.json during the scan; census 汇总表 (xlsx, csv, md, html) in ${reportMs.toFixed(0)} ms`);
    console.log(`  peak memory of the scanning process during the scan and its reports (sampled every 100 ms): RSS ${(peakRss / 2 ** 20).toFixed(0)} MB (target < 500 MB), heap ${(peakHeap / 2 ** 20).toFixed(0)} MB`);
    console.log(`govscan census, politeness off (no interval, 8 requests per host, probes not spaced): ${engineSites.length} sites in ${(engineMs / 1000).toFixed(1)} s = ${((engineSites.length / engineMs) * 60_000).toFixed(0)} sites/min (${engineRun.attempts.filter((a) => a.status !== 'ok').length} checks not ok)`);
    console.log(`peer: naive sequential crawler (node:http, one request at a time, no politeness, no robots.txt, no HEAD/GET link checks, no parsing beyond a regex), ${PEER_SITES} sites, ${peerRequests} requests in ${(peerMs / 1000).toFixed(1)} s = ${peerPerMin.toFixed(0)} sites/min`);
    console.log(`ratio govscan / naive sequential crawler (sites per minute): polite ${(perMin / peerPerMin).toFixed(2)}, politeness off ${((engineSites.length / engineMs) * 60_000 / peerPerMin).toFixed(2)}`);
  } finally {
    clearInterval(sampler);
    child.send('stop');
    const stopped = await new Promise((resolve) => {
      child.once('message', resolve);
      setTimeout(() => resolve({}), 10_000);
    });
    if (stopped.maxRssKb) console.log(`world process: maxRSS ${(stopped.maxRssKb / 1024).toFixed(0)} MB, ${stopped.requests} requests logged (last 10,000 kept)`);
    await rm(dir, { recursive: true, force: true });
  }
}
