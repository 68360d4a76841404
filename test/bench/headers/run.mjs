#!/usr/bin/env node
// The headers scanner against the MDN HTTP Observatory's scorer, on the same header sets,
// and its throughput on a 1,000-site simulated run.
//
//   pnpm build && node test/bench/headers/run.mjs [--sites 1000] [--rounds 3] [--concurrency 64]
//
// The Observatory (npm @mdn/mdn-http-observatory) is not a dependency of the workspace (it
// brings a PostgreSQL client and a web server). It is installed on demand into a cache folder
// outside the repository ($GOVSCAN_BENCH_CACHE, default ~/.cache/govscan-bench/observatory),
// with --ignore-scripts: its postinstall downloads the HSTS preload list and a TLD list from
// the internet, which this bench does not need (see README of scanners/headers).
//
// The Observatory only scans public hosts on port 443, but its ten tests are plain functions
// of a `Requests` object (responses, redirect chain, page text, cookie jar). This bench records
// each case's answers with govscan's HTTP client, puts them in the shape the Observatory's
// retriever produces (axios responses, node's way of joining repeated headers, a tough-cookie
// jar, its own <meta http-equiv> parser), makes the CORS preflight with the Observatory's own
// axios against the simulated world, and runs its tests and scoring.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const load = (p) => import(pathToFileURL(path.join(ROOT, p)).href);
const { startWorld } = await load('packages/testbed/dist/index.js');
const { createNetClient } = await load('packages/net/dist/index.js');
const { loadRules, runScan, silentLogger } = await load('packages/core/dist/index.js');
const { headers: headersScanner, CORS_PROBE_ORIGIN, MAX_BODY_BYTES, MAX_REDIRECTS } = await load('scanners/headers/dist/index.js');
const { HEADER_SCENARIOS, headerScenario, GOOD_CSP } = await load('packages/testbed/dist/index.js');
const { benchHost, benchHosts } = await import('./world.mjs');

const { values: args } = parseArgs({ options: { sites: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '64' }, 'skip-observatory': { type: 'boolean', default: false }, 'same-process': { type: 'boolean', default: false } } });

// ---------------------------------------------------------------------------
// The Observatory, installed on demand.

const OBS_VERSION = '^1.4.8';
const cacheDir = process.env.GOVSCAN_BENCH_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'govscan-bench', 'observatory');

async function loadObservatory() {
  const pkgDir = path.join(cacheDir, 'node_modules', '@mdn', 'mdn-http-observatory');
  if (!existsSync(path.join(pkgDir, 'package.json'))) {
    mkdirSync(cacheDir, { recursive: true });
    process.stderr.write(`installing @mdn/mdn-http-observatory@${OBS_VERSION} into ${cacheDir} ...\n`);
    const r = spawnSync('npm', ['install', '--prefix', cacheDir, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `@mdn/mdn-http-observatory@${OBS_VERSION}`], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error('npm install of @mdn/mdn-http-observatory failed');
  }
  // The preload list is written by the postinstall we skip; no host of these cases is on it.
  const preload = path.join(pkgDir, 'conf', 'hsts-preload.json');
  if (!existsSync(preload)) writeFileSync(preload, '{}\n');
  const src = (p) => import(pathToFileURL(path.join(pkgDir, 'src', p)).href);
  const req = createRequire(path.join(pkgDir, 'package.json'));
  const fromObs = (name) => import(pathToFileURL(req.resolve(name)).href);
  const [constants, grader, charts, types, retrieverUtils, config, axiosMod, toughCookie] = await Promise.all([
    src('constants.js'), src('grader/grader.js'), src('grader/charts.js'), src('types.js'), src('retriever/utils.js'), src('config.js'), fromObs('axios'), fromObs('tough-cookie'),
  ]);
  const axios = axiosMod.default ?? axiosMod;
  const version = JSON.parse((await import('node:fs')).readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  return { version, ALL_TESTS: constants.ALL_TESTS, grader, MIN: charts.MINIMUM_SCORE_FOR_EXTRA_CREDIT, Requests: types.Requests, HTML_TYPES: types.HTML_TYPES, parseHttpEquivHeaders: retrieverUtils.parseHttpEquivHeaders, CONFIG: config.CONFIG, axios, CookieJar: toughCookie.CookieJar };
}

// ---------------------------------------------------------------------------
// The cases: every scenario of the scanner's tests, and some harder ones.

const GOOD = headerScenario('good');
function variant(host, change) {
  const h = GOOD.build(host);
  change(h.https, h.http, h);
  return h;
}
const EXTRA = [
  ['hsts-twice', 'HSTS sent twice, max-age=0 first', (s) => (s.headers['Strict-Transport-Security'] = ['max-age=0', 'max-age=31536000'])],
  ['hsts-not-a-number', 'HSTS max-age=forever', (s) => (s.headers['Strict-Transport-Security'] = 'max-age=forever; includeSubDomains')],
  ['hsts-quoted', 'HSTS max-age="31536000"', (s) => (s.headers['Strict-Transport-Security'] = 'max-age="31536000"')],
  ['hsts-quoted-short', 'HSTS max-age="600"', (s) => (s.headers['Strict-Transport-Security'] = 'max-age="600"')],
  ['hsts-huge', 'HSTS max-age with 40 digits', (s) => (s.headers['Strict-Transport-Security'] = `max-age=${'9'.repeat(40)}`)],
  ['csp-garbage', 'CSP of garbage', (s) => (s.headers['Content-Security-Policy'] = 'garbage ??? <script>alert(1)</script>;;;')],
  ['csp-report-only', 'CSP only as Report-Only', (s) => { s.headers['Content-Security-Policy-Report-Only'] = GOOD_CSP; delete s.headers['Content-Security-Policy']; }],
  ['csp-strict-dynamic', "CSP with 'strict-dynamic' and a nonce", (s) => (s.headers['Content-Security-Policy'] = "default-src 'self'; script-src 'strict-dynamic' 'nonce-r4nd0m' https: 'unsafe-inline'; object-src 'none'; frame-ancestors 'self'")],
  ['csp-strict-dynamic-alone', "CSP with 'strict-dynamic' and no nonce", (s) => (s.headers['Content-Security-Policy'] = "default-src 'self'; script-src 'strict-dynamic'; object-src 'none'")],
  ['csp-duplicate', 'CSP with a directive twice', (s) => (s.headers['Content-Security-Policy'] = "default-src 'self'; script-src 'self'; script-src *; object-src 'none'")],
  ['csp-two-headers', 'two CSP headers', (s) => (s.headers['Content-Security-Policy'] = ["default-src 'self'; object-src 'none'", "script-src 'self'"])],
  ['csp-meta', 'CSP in <meta> as well as the header', (s, _h, host) => { s.pages['/'].body = s.pages['/'].body.replace('<title>', `<meta http-equiv="Content-Security-Policy" content="img-src 'self' https:; frame-ancestors 'none'"><title>`); }],
  ['csp-http-source', 'CSP allowing http: images on an HTTPS page', (s) => (s.headers['Content-Security-Policy'] = "default-src 'self'; img-src 'self' http:; object-src 'none'; frame-ancestors 'self'")],
  ['xfo-contradictory', 'X-Frame-Options DENY and SAMEORIGIN, no frame-ancestors', (s) => { s.headers['X-Frame-Options'] = ['DENY', 'SAMEORIGIN']; s.headers['Content-Security-Policy'] = GOOD_CSP.replace("frame-ancestors 'self'; ", ''); }],
  ['xfo-allow-from', 'X-Frame-Options ALLOW-FROM, no frame-ancestors', (s) => { s.headers['X-Frame-Options'] = 'ALLOW-FROM https://www.gov.cn/'; s.headers['Content-Security-Policy'] = GOOD_CSP.replace("frame-ancestors 'self'; ", ''); }],
  ['nosniff-typo', 'X-Content-Type-Options: nosnif', (s) => (s.headers['X-Content-Type-Options'] = 'nosnif')],
  ['referrer-meta', 'Referrer policy only in <meta>', (s) => { delete s.headers['Referrer-Policy']; s.pages['/'].body = s.pages['/'].body.replace('<title>', '<meta name="referrer" content="no-referrer"><title>'); }],
  ['referrer-list', 'Referrer-Policy: no-referrer, unsafe-url', (s) => (s.headers['Referrer-Policy'] = 'no-referrer, unsafe-url')],
  ['cookie-malformed', 'Set-Cookie without =, SameSite=bogus', (s) => (s.headers['Set-Cookie'] = ['garbage-without-equals', 'sid=1; Secure; HttpOnly; SameSite=bogus'])],
  ['cookie-session-script-readable', 'session cookie without HttpOnly', (s) => (s.headers['Set-Cookie'] = 'PHPSESSID=1; Path=/; Secure; SameSite=Lax')],
  ['cookie-none-insecure', 'SameSite=None without Secure', (s) => (s.headers['Set-Cookie'] = 'pref=1; Path=/; HttpOnly; SameSite=None')],
  ['cors-public', 'Access-Control-Allow-Origin: *', (s) => (s.headers['Access-Control-Allow-Origin'] = '*')],
  ['corp-invalid', 'Cross-Origin-Resource-Policy: nonsense', (s) => (s.headers['Cross-Origin-Resource-Policy'] = 'nonsense')],
  ['sri-protocol-relative', 'protocol-relative third-party script', (s) => { s.pages['/'].body = s.pages['/'].body.replace('</body>', '<script src="//cdn.example.com/x.js" integrity="sha384-abc"></script></body>'); }],
  ['sri-http-third-party', 'third-party script over http://', (s) => { s.pages['/'].body = s.pages['/'].body.replace('</body>', '<script src="http://cdn.example.com/x.js"></script></body>'); }],
  ['http-only', 'HTTPS absent, the page over HTTP', (s, h, host) => { h.https = null; h.http = { headers: { ...s.headers }, pages: s.pages }; }],
  ['https-redirect-loop', 'HTTPS homepage redirects in a loop', (s) => (s.behaviour = { redirectLoop: true })],
];

function buildCases() {
  const cases = HEADER_SCENARIOS.map((s) => ({ id: s.id, title: s.zh, host: `${s.id}.bench.gov.cn` }));
  for (const [id, title] of EXTRA) cases.push({ id, title, host: `${id}.bench.gov.cn` });
  const hosts = [
    ...HEADER_SCENARIOS.map((s) => s.build(`${s.id}.bench.gov.cn`, { otherHost: 'good.bench.gov.cn' })),
    ...EXTRA.map(([id, , change]) => variant(`${id}.bench.gov.cn`, (s, h, spec) => change(s, h, spec.name, spec))),
  ];
  // `variant` passes (https, http, spec): the http-only case replaces both vhosts on the spec.
  for (const [id, , change] of EXTRA) if (id === 'http-only') {
    const spec = hosts.find((h) => h.name === `${id}.bench.gov.cn`);
    const s = GOOD.build(spec.name);
    change(s.https, s.http, spec.name);
    spec.https = null;
    spec.http = { headers: { ...s.https.headers }, pages: s.https.pages };
  }
  return { cases, hosts };
}

// ---------------------------------------------------------------------------
// Recorded answers → the Observatory's Requests.

const FIRST_ONLY = new Set(['content-type', 'content-length', 'user-agent', 'referer', 'host', 'authorization', 'proxy-authorization', 'if-modified-since', 'if-unmodified-since', 'from', 'location', 'max-forwards', 'retry-after', 'etag', 'last-modified', 'server', 'age', 'expires']);
const GAVE_UP = new Set(['EREDIRECTLOOP', 'ETOOMANYREDIRECTS']);
const answered = (r) => r && r.status !== null && (r.error === null || GAVE_UP.has(r.error.code));

function axiosResponse(obs, r) {
  const h = new obs.axios.AxiosHeaders();
  for (const [k, v] of Object.entries(r.headers)) {
    if (!Array.isArray(v)) h.set(k, v);
    else h.set(k, k === 'set-cookie' ? v : FIRST_ONLY.has(k) ? v[0] : v.join(', '));
  }
  return { status: r.status, headers: h, data: r.body.toString('utf8'), verified: r.tls ? r.tls.authorized : true, config: { url: r.finalUrl } };
}

/** The CORS preflight the Observatory's retriever sends, with its own axios, to the world on loopback. */
async function observatoryPreflight(obs, world, url) {
  const u = new URL(url);
  const secure = u.protocol === 'https:';
  const target = `${u.protocol}//127.0.0.1:${secure ? world.httpsPort : world.httpPort}${u.pathname}${u.search}`;
  try {
    return await obs.axios.create({ maxRedirects: 10 }).options(target, {
      headers: { Host: u.host, 'Access-Control-Request-Method': 'GET', Origin: obs.CONFIG.retriever.corsOrigin },
      httpsAgent: new https.Agent({ rejectUnauthorized: false, servername: u.hostname }),
      timeout: 9000,
    });
  } catch {
    return null; // as its retriever: a failed preflight is no CORS response
  }
}

async function observatoryScore(obs, world, net, host) {
  const [http, httpsR] = await Promise.all([
    net.fetch(`http://${host}/`, { maxBytes: MAX_BODY_BYTES, maxRedirects: MAX_REDIRECTS }),
    net.fetch(`https://${host}/`, { maxBytes: MAX_BODY_BYTES, maxRedirects: MAX_REDIRECTS }),
  ]);
  const req = new obs.Requests(host);
  const httpOk = answered(http);
  const httpsOk = answered(httpsR);
  req.responses.http = httpOk ? axiosResponse(obs, http) : null;
  req.responses.https = httpsOk ? axiosResponse(obs, httpsR) : null;
  req.responses.httpRedirects = httpOk ? http.hops.map((h) => ({ url: new URL(h.url), status: h.status })) : [];
  req.responses.httpsRedirects = req.responses.httpRedirects; // its retriever fills both from the HTTP session
  const page = httpsOk ? httpsR : httpOk ? http : null;
  if (!page) return { error: 'the site seems to be down' };
  const auto = httpsOk ? req.responses.https : req.responses.http;
  req.responses.auto = auto;
  const jar = new obs.CookieJar();
  const cookies = page.headers['set-cookie'];
  for (const line of cookies === undefined ? [] : Array.isArray(cookies) ? cookies : [cookies]) jar.setCookieSync(line, page.finalUrl, { ignoreError: true });
  req.session = { url: new URL(page.url), jar };
  req.resources.path = auto.data;
  const cors = await observatoryPreflight(obs, world, page.finalUrl);
  req.responses.cors = cors ? { ...cors, verified: auto.verified } : null;
  auto.httpEquiv = obs.HTML_TYPES.has(auto.headers['content-type']?.split(';')[0]) && req.resources.path ? obs.parseHttpEquivHeaders(req.resources.path, req.session.url.href) : new Map();
  if (auto.status < 200 || (auto.status >= 400 && ![401, 403].includes(auto.status))) return { error: `status ${auto.status}` };
  // The aggregation its scan() does: negative modifiers always, bonuses only from 90 up.
  const results = obs.ALL_TESTS.map((t) => t(req));
  let withBonus = 100;
  let base = 100;
  const tests = {};
  for (const r of results) {
    if (!r.result) continue;
    const m = obs.grader.getScoreModifier(r.result);
    withBonus += m;
    if (m < 0) base += m;
    tests[r.constructor.name] = r.result;
  }
  const g = obs.grader.getGradeForScore(base >= obs.MIN ? withBonus : base);
  return { score: g.score, grade: g.grade, tests };
}

function ctxFor(net, registry, timeoutMs = 10_000) {
  return { net, registry, timeoutMs, signal: new AbortController().signal, log: silentLogger, now: () => new Date() };
}

function siteOf(code, host) {
  return { code, name: host, unit: 'bench', kind: 'department', division: code.slice(0, 6), urls: [`https://${host}/`] };
}

// ---------------------------------------------------------------------------
// 1. Agreement.

async function agreement() {
  const obs = await loadObservatory();
  const { cases, hosts } = buildCases();
  const world = await startWorld({ name: 'headers-agreement', hosts });
  const sites = cases.map((c, i) => siteOf(`5118${String(i).padStart(6, '0')}`, c.host));
  const registry = { file: 'bench', sites };
  const net = createNetClient({ resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile, registeredHosts: hosts.map((h) => h.name) });
  const rows = [];
  try {
    for (const [i, c] of cases.entries()) {
      const out = await headersScanner.scan(sites[i], ctxFor(net, registry));
      const g = out.observations.find((o) => o.kind === 'headers.grade').facts;
      const o = await observatoryScore(obs, world, net, c.host);
      const theirs = o.error ? `not graded (${o.error})` : `${o.score} ${o.grade}`;
      const ours = g.grade === null ? `not graded` : `${g.score} ${g.grade}`;
      const predicted = g.grade === null ? 'not graded' : `${g.observatoryScore} ${g.observatoryGrade}`;
      const unexpected = [];
      const documented = [];
      if (!o.error && g.tests) {
        for (const [name, t] of Object.entries(g.tests)) {
          const actual = o.tests[name];
          if ((t.observatory ?? t.result) !== actual) unexpected.push(`${name}: govscan expects ${t.observatory ?? t.result}, Observatory ${actual}`);
          else if (t.observatory) documented.push(name === 'cross-origin-resource-sharing' ? 'CORS echo + credentials' : name === 'strict-transport-security' ? 'HSTS max-age not a plain number' : name);
        }
      }
      const same = (o.error ? 'not graded' : `${o.score} ${o.grade}`) === ours;
      const agree = (o.error ? 'not graded' : `${o.score} ${o.grade}`) === predicted;
      rows.push({ id: c.id, ours, theirs, verdict: same ? 'same' : documented.length && agree ? `differs (documented: ${[...new Set(documented)].join(', ')})` : 'DIFFERS', unexpected });
    }
  } finally {
    await net.close();
    await world.stop();
  }
  const w = [Math.max(4, ...rows.map((r) => r.id.length)), 12, 13];
  console.log(`\nScores side by side: govscan headers scanner vs @mdn/mdn-http-observatory ${obs.version} scorer (same recorded answers)\n`);
  console.log(`${'case'.padEnd(w[0])}  ${'govscan'.padEnd(w[1])}  ${'Observatory'.padEnd(w[2])}  verdict`);
  console.log(`${'-'.repeat(w[0])}  ${'-'.repeat(w[1])}  ${'-'.repeat(w[2])}  -------`);
  for (const r of rows) {
    console.log(`${r.id.padEnd(w[0])}  ${r.ours.padEnd(w[1])}  ${r.theirs.padEnd(w[2])}  ${r.verdict}`);
    for (const u of r.unexpected) console.log(`${''.padEnd(w[0])}    unexpected: ${u}`);
  }
  const bad = rows.filter((r) => r.verdict === 'DIFFERS' || r.unexpected.length);
  console.log(`\n${rows.length} cases: ${rows.filter((r) => r.verdict === 'same').length} identical, ${rows.filter((r) => r.verdict.startsWith('differs (documented')).length} differ only as documented, ${bad.length} unexplained`);
  return bad.length;
}

// ---------------------------------------------------------------------------
// 2. Throughput: a registry of N sites against a world of N hosts, through the pipeline.

/** Start the world of test/bench/headers/world.mjs in a child process; resolves with its addresses and a stop(). */
function childWorld(n) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('./world.mjs', import.meta.url)), String(n)], { stdio: ['pipe', 'pipe', 'inherit'] });
    let buf = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`world process exited (${code})`)));
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        const info = JSON.parse(buf.slice(0, nl));
        resolve({ ...info, stop: () => new Promise((r) => { child.removeAllListeners('exit'); child.once('exit', r); child.stdin.end(); }) });
      }
    });
  });
}

async function throughput(n, rounds, concurrency, separate) {
  const sites = [];
  for (let i = 0; i < n; i++) {
    const { host, code } = benchHost(i);
    sites.push(siteOf(code, host));
  }
  const registry = { file: 'bench', sites };
  const world = separate ? await childWorld(n) : await startWorld({ name: 'headers-throughput', hosts: benchHosts(n) });
  const rules = (await loadRules()).filter((r) => r.scanner === 'headers');
  const times = [];
  const cpu = [];
  let last;
  try {
    for (let r = 0; r < rounds; r++) {
      const net = createNetClient({ resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile, registeredHosts: sites.map((s) => new URL(s.urls[0]).hostname), concurrency: concurrency * 3 });
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      last = await runScan({ registry, scanners: [headersScanner], rules, net, concurrency, timeoutMs: 15_000, tool: { name: 'govscan-bench', version: '0' } });
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
      await net.close();
    }
  } finally {
    await world.stop();
  }
  const bad = last.attempts.filter((a) => a.status !== 'ok' && !(a.check === 'grade' && a.error?.code === 'ENOTGRADED'));
  const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
  const best = Math.min(...times);
  console.log(`\nThroughput, ${separate ? 'simulated world in a child process (scanner and servers on separate cores)' : 'simulated world in the same process as the scanner'}: ${n} sites, ${concurrency} at once, ${rounds} rounds`);
  console.log(`  rounds: ${times.map((t, i) => `${Math.round(t)} ms (scanner CPU ${Math.round(cpu[i])} ms)`).join(', ')}`);
  console.log(`  median ${Math.round(median)} ms = ${Math.round((n / median) * 1000)} sites/s (best round ${Math.round((n / best) * 1000)} sites/s); scanner CPU ${((Math.min(...cpu)) / n).toFixed(1)} ms a site; ${last.findings.length} findings, ${last.attempts.length} attempts (${bad.length} not ok)`);
  return (n / median) * 1000;
}

let unexplained = 0;
if (!args['skip-observatory']) unexplained = await agreement();
const n = Number(args.sites);
const perSecond = await throughput(n, Number(args.rounds), Number(args.concurrency), !args['same-process']);
console.log(`\n${Math.round(perSecond)} sites/s (target: at least 200 on a 2-core machine)${perSecond < 200 ? ' - BELOW the target' : ''}; load average now ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (other work on the machine slows every number here)`);
process.exitCode = unexplained > 0 ? 1 : 0;
