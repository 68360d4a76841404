// TLS benchmark: govscan's TLS scanner vs testssl.sh vs sslscan on the same loopback hosts.
//
//   pnpm build && node test/bench/tls/run.mjs [--quick] [--no-testssl]
//
// Installs testssl.sh and sslscan with apt-get when they are missing (Debian packages;
// needs root). Starts a simulated world (packages/testbed): node:tls hosts and raw TLS
// responders (legacy protocols and suites Node's OpenSSL cannot speak). Each tool assesses
// each host in its own process, one host at a time; /usr/bin/time gives wall time and peak
// memory (GNU time's maximum resident set size). Then the accepted protocol and cipher sets
// are compared with testssl.sh's (and sslscan's), by cipher code point.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorld } from '../../../packages/testbed/dist/index.js';

const args = new Set(process.argv.slice(2));
const here = fileURLToPath(new URL('.', import.meta.url));
const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || null;

// --- tools
function ensureTools() {
  const missing = [];
  if (!which('testssl') && !which('testssl.sh')) missing.push('testssl.sh');
  if (!which('sslscan')) missing.push('sslscan');
  if (!existsSync('/usr/bin/time')) missing.push('time');
  if (missing.length) {
    console.log(`installing ${missing.join(', ')} (apt-get)…`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    if (update.status === 0) spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
  }
  return { testssl: which('testssl') ?? which('testssl.sh'), sslscan: which('sslscan'), time: existsSync('/usr/bin/time') ? '/usr/bin/time' : null };
}

const tools = ensureTools();
if (!tools.time) {
  console.error('GNU time (/usr/bin/time) is needed to measure peak memory');
  process.exit(2);
}

// --- the world
const good = { validDays: 365 };
const HOSTS = [
  { spec: { name: 'modern.bench.gov.cn', cert: good }, note: 'node:tls, TLS 1.2 + 1.3 (Node defaults)' },
  { spec: { name: 'legacy.bench.gov.cn', cert: good, tlsRaw: { protocols: ['TLSv1.0', 'TLSv1.1', 'TLSv1.2'], suites: [0xc02f, 0xc013, 0xc014, 0x002f, 0x0035, 0x000a, 0x0005, 0x0004] } }, note: 'raw: TLS 1.0–1.2, RC4, 3DES' },
  { spec: { name: 'ssl3.bench.gov.cn', cert: good, tlsRaw: { protocols: ['SSLv3', 'TLSv1.0'], suites: [0x0004, 0x0005, 0x000a, 0x0016, 0x0009, 0x002f] } }, note: 'raw: SSLv3 + TLS 1.0, RC4, DES, 3DES' },
  { spec: { name: 'tls13.bench.gov.cn', cert: good, tlsRaw: { protocols: ['TLSv1.2', 'TLSv1.3'], suites: [0x1302, 0x1301, 0x1303, 0xc030, 0xc02f, 0xcca8, 0x009c] } }, note: 'raw: TLS 1.2 + 1.3' },
  { spec: { name: 'expired.bench.gov.cn', cert: { expired: true } }, note: 'node:tls, expired certificate' },
];
const hosts = args.has('--quick') ? HOSTS.slice(0, 2) : HOSTS;
const world = await startWorld({ name: 'tls-bench', hosts: hosts.map((h) => h.spec) });
const portOf = (name) => world.rawTls[name]?.port ?? world.httpsPort;
const tmp = mkdtempSync(join(tmpdir(), 'govscan-tls-bench-'));

/**
 * Run a command under GNU time; resolves to wall seconds, peak RSS MiB and stdout. Asynchronous:
 * the world's servers live in this process and must keep answering while the tool runs.
 */
function timed(cmd, argv, timeoutMs = 600_000) {
  const tfile = join(tmp, `time-${Math.random().toString(36).slice(2)}`);
  return new Promise((resolve) => {
    const child = spawn(tools.time, ['-f', '%e %M', '-o', tfile, cmd, ...argv], { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      const [wall, kb] = existsSync(tfile) ? readFileSync(tfile, 'utf8').trim().split(/\s+/).slice(-2).map(Number) : [NaN, NaN];
      resolve({ wall, mib: kb / 1024, stdout, status });
    });
  });
}

const PROTO = { SSLv3: 'SSLv3', TLS1: 'TLSv1.0', TLS1_1: 'TLSv1.1', TLS1_2: 'TLSv1.2', TLS1_3: 'TLSv1.3' };
const PROTO_CIPHER = { ssl3: 'SSLv3', tls1: 'TLSv1.0', tls1_1: 'TLSv1.1', tls1_2: 'TLSv1.2', tls1_3: 'TLSv1.3' };

async function runGovscan(name) {
  const cfg = JSON.stringify({ host: name, resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile, timeoutMs: 5000 });
  const r = await timed(process.execPath, [join(here, 'scan-one.mjs'), cfg]);
  const j = JSON.parse(r.stdout || '{}');
  const sets = {};
  for (const p of j.protocols ?? []) sets[p] = new Set(j.suites?.[p] ?? []);
  return { ...r, sets, extra: `grade ${j.grade}, ${j.handshakes} handshakes, scan ${Math.round(j.scanMs)} ms` };
}

async function runTestssl(name) {
  const json = join(tmp, `${name}.testssl.json`);
  const r = await timed(tools.testssl, ['--ip', '127.0.0.1', '-p', '-E', '-S', '-P', '--add-ca', world.caFile, '--warnings', 'off', '--color', '0', '--quiet', '--jsonfile', json, `${name}:${portOf(name)}`]);
  const sets = {};
  try {
    for (const x of JSON.parse(readFileSync(json, 'utf8'))) {
      if (PROTO[x.id] && /^offered/.test(x.finding)) sets[PROTO[x.id]] ??= new Set();
      const m = /^cipher-(ssl3|tls1|tls1_1|tls1_2|tls1_3)_x([0-9a-f]+)$/.exec(x.id);
      if (m) (sets[PROTO_CIPHER[m[1]]] ??= new Set()).add(Number.parseInt(m[2], 16));
    }
  } catch {
    // no JSON: the run failed; the empty sets show it
  }
  return { ...r, sets };
}

async function runSslscan(name) {
  const xml = join(tmp, `${name}.sslscan.xml`);
  const r = await timed(tools.sslscan, ['--no-colour', `--sni-name=${name}`, `--xml=${xml}`, `127.0.0.1:${portOf(name)}`]);
  const sets = {};
  try {
    const text = readFileSync(xml, 'utf8');
    for (const m of text.matchAll(/<protocol type="(ssl|tls)" version="([\d.]+)" enabled="1"/g)) sets[m[1] === 'ssl' ? `SSLv${m[2]}` : `TLSv${m[2] === '1' ? '1.0' : m[2]}`] ??= new Set();
    for (const m of text.matchAll(/<cipher status="(?:accepted|preferred)" sslversion="([^"]+)"[^>]*id="0x([0-9A-Fa-f]+)"/g)) {
      const p = m[1] === 'TLSv1.0' || m[1] === 'TLSv1' ? 'TLSv1.0' : m[1];
      (sets[p] ??= new Set()).add(Number.parseInt(m[2], 16));
    }
  } catch {
    // no XML
  }
  return { ...r, sets };
}

function diff(a, b, labelA, labelB) {
  const out = [];
  const protocols = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const p of protocols) {
    if (!a[p]) out.push(`${p}: only ${labelB} accepts it`);
    else if (!b[p]) out.push(`${p}: only ${labelA} accepts it`);
    else {
      const onlyA = [...a[p]].filter((c) => !b[p].has(c));
      const onlyB = [...b[p]].filter((c) => !a[p].has(c));
      const hex = (l) => l.map((c) => `0x${c.toString(16).padStart(4, '0')}`).join(' ');
      if (onlyA.length) out.push(`${p}: suites only ${labelA} found: ${hex(onlyA)}`);
      if (onlyB.length) out.push(`${p}: suites only ${labelB} found: ${hex(onlyB)}`);
    }
  }
  return out;
}

const fmt = (x) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const rows = [];
try {
  console.log(`govscan TLS benchmark: ${hosts.length} hosts on loopback; tools: testssl ${tools.testssl ?? 'missing'}, sslscan ${tools.sslscan ?? 'missing'}; ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores\n`);
  for (const h of hosts) {
    const name = h.spec.name;
    const g = await runGovscan(name);
    const s = tools.sslscan ? await runSslscan(name) : null;
    const t = tools.testssl && !args.has('--no-testssl') ? await runTestssl(name) : null;
    rows.push({ name, note: h.note, g, s, t });
    console.log(`${name} (${h.note})`);
    console.log(`  govscan   ${fmt(g.wall)} s  ${fmt(g.mib)} MiB   ${g.extra}`);
    if (s) console.log(`  sslscan   ${fmt(s.wall)} s  ${fmt(s.mib)} MiB   ratio sslscan/govscan ${fmt(s.wall / g.wall)}`);
    if (t) console.log(`  testssl   ${fmt(t.wall)} s  ${fmt(t.mib)} MiB   ratio testssl/govscan ${fmt(t.wall / g.wall)}`);
    const dt = t ? diff(g.sets, t.sets, 'govscan', 'testssl') : [];
    const ds = s ? diff(g.sets, s.sets, 'govscan', 'sslscan') : [];
    console.log(t ? (dt.length ? `  vs testssl: ${dt.length} differences\n    ${dt.join('\n    ')}` : '  vs testssl: identical protocol and cipher sets') : '  vs testssl: not run');
    console.log(s ? (ds.length ? `  vs sslscan: ${ds.length} differences\n    ${ds.join('\n    ')}` : '  vs sslscan: identical protocol and cipher sets') : '  vs sslscan: not run');
  }
  // A registry scan runs every host in one process: startup paid once, hosts concurrently.
  const all = await timed(process.execPath, [join(here, 'scan-one.mjs'), JSON.stringify({ hosts: hosts.map((h) => h.spec.name), resolver: world.resolver, connectTo: world.connectTo, caFile: world.caFile, timeoutMs: 5000 })]);
  const allJ = JSON.parse(all.stdout || '{}');
  console.log(`\ngovscan, all ${hosts.length} hosts in one process (as a registry scan): ${fmt(all.wall)} s wall, ${fmt(all.mib)} MiB peak; scan ${Math.round(allJ.scanMs)} ms; per host in process: ${(allJ.results ?? []).map((r) => `${r.host.split('.')[0]} ${Math.round(r.ms)} ms`).join(', ')}`);
  const sum = (k, f) => rows.reduce((a, r) => a + (r[k] ? f(r[k]) : 0), 0);
  console.log('\nsummary');
  console.log(`  govscan  total ${fmt(sum('g', (x) => x.wall))} s, max ${fmt(Math.max(...rows.map((r) => r.g.wall)))} s per host, peak ${fmt(Math.max(...rows.map((r) => r.g.mib)))} MiB`);
  if (rows[0]?.s) console.log(`  sslscan  total ${fmt(sum('s', (x) => x.wall))} s (govscan/sslscan ${fmt(sum('g', (x) => x.wall) / sum('s', (x) => x.wall))})`);
  if (rows[0]?.t) console.log(`  testssl  total ${fmt(sum('t', (x) => x.wall))} s (testssl/govscan ${fmt(sum('t', (x) => x.wall) / sum('g', (x) => x.wall))})`);
} finally {
  await world.stop();
  rmSync(tmp, { recursive: true, force: true });
}
