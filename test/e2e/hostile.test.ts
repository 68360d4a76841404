/**
 * Hostile inputs, each case on its own fixtures (servers, resolvers and files
 * on loopback built to misbehave), run through the commands a user runs:
 * what could not be read is unknown — never a finding, never 无 — the time and
 * memory are bounded, and the exit code says which (4: not fully checked,
 * 2: bad input).
 */
import { gzipSync } from 'node:zlib';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRegistry } from '@govscan/core';
import { governmentHomepage, startWorld, type World } from '@govscan/testbed';
import { lookalikeWorld } from 'govscan';
import { runCli, runBuiltCli, repoRoot, tempDir } from '../helpers/cli.js';
import { hostileResolver, questionEnd, reply } from '../helpers/hostile-dns.js';

const TIMEOUT = 3000;
const ICP = '蜀ICP备05005390号-12';
const PSB = '川公网安备 51180002000100号';

interface TestSite {
  code: string;
  host: string;
  name: string;
}
const S = (n: number, host: string, name: string): TestSite => ({ code: `51180002${String(n).padStart(2, '0')}`, host, name });
const gz = S(1, 'gz.yaan.gov.cn', '雅安市压缩局');
const bomb = S(2, 'bomb.yaan.gov.cn', '雅安市炸弹局');
const deep = S(3, 'deep.yaan.gov.cn', '雅安市嵌套局');
const healthy = S(4, 'healthy.yaan.gov.cn', '雅安市健康局');
const links = S(5, 'links.yaan.gov.cn', '雅安市链接局');
const cut = S(6, 'cut.yaan.gov.cn', '雅安市截断局');
const notHttp = S(7, 'nothttp.yaan.gov.cn', '雅安市协议局');
const tc = S(8, 'tc.yaan.gov.cn', '雅安市截短局');
const selfPointer = S(9, 'loop.yaan.gov.cn', '雅安市指针局');
const garbage = S(10, 'garbage.yaan.gov.cn', '雅安市乱码局');
const SITES = [gz, bomb, deep, healthy, links, cut, notHttp, tc, selfPointer, garbage];
const NOT_HTTP_ADDRESS = '127.0.0.88';

const CONTACT = '0835-2212345';
const home = (s: TestSite): string => governmentHomepage({ code: s.code, name: s.name, unit: s.name, host: s.host, icp: ICP, psb: PSB, contact: CONTACT });

/** A homepage whose footer is cut by the 2 MiB byte limit between `号-1` and `2` (padding before the footer). */
function cutPage(s: TestSite): Buffer {
  const full = home(s);
  const footer = full.indexOf('<p>主办单位');
  const at = full.indexOf(ICP) + ICP.length - 1; // just before the last "2"
  const [head, tail, rest] = [full.slice(0, footer), full.slice(footer, at), full.slice(at)].map((x) => Buffer.from(x));
  const pad = Buffer.from(`<!--${'x'.repeat(2 * 1024 * 1024 - head!.length - tail!.length - 7)}-->`);
  const page = Buffer.concat([head!, pad, tail!, rest!]);
  if (page.subarray(0, 2 * 1024 * 1024).toString().slice(-3) !== '号-1') throw new Error('the cut is not where it should be');
  return page;
}

let world: World;
let dns: Awaited<ReturnType<typeof hostileResolver>>;
let dir: string;
let cleanup: () => Promise<void>;
let registryFile: string;
let notHttpServer: net.Server;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  registryFile = path.join(dir, 'registry.yaml');
  await writeFile(
    registryFile,
    `version: 1\ntitle: hostile\nsites:\n${SITES.map((s) => `  - { code: "${s.code}", name: ${s.name}, unit: ${s.name}, kind: department, division: "511800", urls: [http://${s.host}/], icp: ${ICP}, psb: ${PSB}, contact: ${CONTACT} }`).join('\n')}\n`,
  );
  const stall = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`/stall/${i}`, { behaviour: { hang: true as const } }]));
  const linkPage = home(links).replace('</body>', `<ul>${Array.from({ length: 20_000 }, (_, i) => `<li><a href="/stall/${i}">栏目${i}</a></li>`).join('')}</ul></body>`);
  world = await startWorld({
    hosts: [
      // compressed although nobody asked for it
      { name: gz.host, http: { pages: { '/': { body: gzipSync(Buffer.from(home(gz))), headers: { 'content-encoding': 'gzip', 'content-type': 'text/html; charset=utf-8' } } } }, https: null },
      // 64 MiB of zeros in 64 KB
      { name: bomb.host, http: { pages: { '/': { body: gzipSync(Buffer.alloc(64 * 1024 * 1024)), headers: { 'content-encoding': 'gzip', 'content-type': 'text/html' } } } }, https: null },
      { name: deep.host, http: { pages: { '/': { body: home(deep).replace('<body>', `<body>${'<div>'.repeat(200_000)}`) } } }, https: null },
      { name: healthy.host, http: { pages: { '/': { body: home(healthy) } } }, https: null },
      { name: links.host, http: { pages: { '/': { body: linkPage }, ...stall } }, https: null },
      { name: cut.host, http: { pages: { '/': { body: cutPage(cut) } } }, https: null },
      { name: notHttp.host, dns: { a: [NOT_HTTP_ADDRESS] } },
      { name: tc.host, http: { pages: { '/': { body: home(tc) } } }, https: null },
      { name: selfPointer.host, http: { pages: { '/': { body: home(selfPointer) } } }, https: null },
      { name: garbage.host, http: { pages: { '/': { body: home(garbage) } } }, https: null },
    ],
  });
  // A server that answers every request with bytes that are not HTTP.
  notHttpServer = net.createServer((s) => {
    s.on('error', () => undefined);
    s.once('data', () => s.end('SSH-2.0-OpenSSH_9.6\r\nProtocol mismatch.\r\n'));
  });
  await new Promise<void>((r, j) => notHttpServer.once('error', j).listen({ port: world.httpPort, host: NOT_HTTP_ADDRESS, exclusive: true }, () => r()));
  dns = await hostileResolver(world.resolver, ({ name, type, query }) => {
    if (type !== 'AAAA' && type !== 'CAA') return 'forward';
    // every answer truncated, and the TCP retry closed at once
    if (name === tc.host) return reply(query, { tc: true });
    if (name === selfPointer.host) {
      // an answer whose name is a compression pointer to itself
      const at = questionEnd(query);
      const rr = Buffer.alloc(2 + 10 + 16);
      rr.writeUInt16BE(0xc000 | at, 0);
      rr.writeUInt16BE(type === 'AAAA' ? 28 : 257, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(300, 6);
      rr.writeUInt16BE(16, 10);
      return reply(query, { counts: [1, 0, 0], rest: rr });
    }
    if (name === garbage.host) {
      // our query id, then 600 bytes of garbage claiming ~50,000 records of each kind
      const g = Buffer.alloc(600, 0xab);
      query.copy(g, 0, 0, 2);
      g.writeUInt16BE(0x8180, 2);
      for (const o of [4, 6, 8, 10]) g.writeUInt16BE(50_000, o);
      return g;
    }
    return 'forward';
  });
}, 60_000);
afterAll(async () => {
  await dns?.close();
  await new Promise((r) => (notHttpServer ? notHttpServer.close(r) : r(null)));
  await world?.stop();
  await cleanup?.();
});

interface Run {
  code: number;
  ms: number;
  stderr: string;
  json: {
    findings: { ruleId: string; site: { code: string } }[];
    verdicts: { site: string; ruleId: string; state: string }[];
    attempts: { site: { code: string }; check: string; status: string; durationMs: number; error?: { code: string; message: string } }[];
    sites: { code: string; state: string; problems: string }[];
  };
}

async function scan(name: string, sites: TestSite[], scanners: string, extra: string[] = []): Promise<Run> {
  const out = path.join(dir, name);
  const r = await runCli(['scan', '--registry', registryFile, '--sites', sites.map((s) => s.code).join(','), '--scanners', scanners, '--resolver', dns.address, ...world.connectTo.flatMap((c) => ['--connect-to', c]), '--timeout', String(TIMEOUT), '--out', out, '--quiet', '--log-level', 'silent', ...extra]);
  const json = r.code === 2 ? ({ findings: [], verdicts: [], attempts: [], sites: [] } as Run['json']) : JSON.parse(await readFile(path.join(out, 'findings.json'), 'utf8'));
  return { code: r.code, ms: r.ms, stderr: r.stderr, json };
}

const verdict = (r: Run, s: TestSite, ruleId: string): string | undefined => r.json.verdicts.find((v) => v.site === s.code && v.ruleId === ruleId)?.state;
const fired = (r: Run, s: TestSite): string[] => r.json.findings.filter((f) => f.site.code === s.code).map((f) => f.ruleId);
const site = (r: Run, s: TestSite): Run['json']['sites'][number] => r.json.sites.find((x) => x.code === s.code)!;

describe('answers that cannot be read are unknown, never a finding', () => {
  it('a resolver that sets TC on every answer and closes the TCP retry: the AAAA and CAA checks are unknown, exit 4', async () => {
    const r = await scan('tc', [tc], 'naming');
    expect(r.code).toBe(4);
    expect(fired(r, tc)).not.toContain('dns.ipv6.missing');
    expect(fired(r, tc)).not.toContain('dns.caa.missing');
    expect(verdict(r, tc, 'dns.ipv6.missing')).toBe('undetermined');
    expect(verdict(r, tc, 'dns.caa.missing')).toBe('undetermined');
    expect(site(r, tc).problems).not.toBe('无');
  }, 60_000);

  it('an answer whose name is a compression pointer to itself: unknown, not "no AAAA record", exit 4', async () => {
    const r = await scan('self-pointer', [selfPointer], 'naming');
    expect(r.code).toBe(4);
    expect(fired(r, selfPointer)).not.toContain('dns.ipv6.missing');
    expect(fired(r, selfPointer)).not.toContain('dns.caa.missing');
    expect(verdict(r, selfPointer, 'dns.ipv6.missing')).toBe('undetermined');
    expect(r.json.attempts.some((a) => a.site.code === selfPointer.code && a.error?.code === 'EDNSFORMAT')).toBe(true);
  }, 60_000);

  it('a resolver that answers our query id with garbage claiming 50,000 records: unknown within the timeout, no seconds of parsing', async () => {
    const r = await scan('garbage', [garbage], 'naming');
    expect(r.code).toBe(4);
    expect(fired(r, garbage)).not.toContain('dns.ipv6.missing');
    expect(verdict(r, garbage, 'dns.ipv6.missing')).toBe('undetermined');
    const mine = r.json.attempts.filter((a) => a.site.code === garbage.code);
    expect(Math.max(...mine.map((a) => a.durationMs))).toBeLessThanOrEqual(2 * TIMEOUT);
  }, 60_000);

  it('a page gzip-compressed although nobody asked: decoded and read — its complete footer raises no finding, exit 0', async () => {
    const r = await scan('gzip', [gz], 'naming');
    for (const rule of ['naming.footer.icp', 'naming.footer.psb', 'naming.footer.sponsor', 'naming.site-code.page', 'naming.meta.missing', 'naming.title.mismatch']) expect(verdict(r, gz, rule), rule).toBe('cleared');
    expect(fired(r, gz).filter((id) => id.startsWith('naming.footer') || id.startsWith('naming.site-code'))).toEqual([]);
  }, 60_000);

  it('a gzip bomb (64 MiB of zeros in 64 KB): cut at the byte limit after decoding, the footer unknown, bounded memory, exit 4', async () => {
    const before = process.memoryUsage().rss;
    const r = await scan('bomb', [bomb], 'naming,headers,census');
    expect(process.memoryUsage().rss - before).toBeLessThan(400 * 1024 * 1024);
    expect(r.code).toBe(4);
    expect(fired(r, bomb).filter((id) => id.startsWith('naming.footer'))).toEqual([]);
    expect(verdict(r, bomb, 'naming.footer.icp')).toBe('undetermined');
  }, 60_000);

  it('a footer cut by the byte limit inside the ICP number (…号-1|2): the cut token is not read, no mismatch finding, exit 4', async () => {
    const r = await scan('cut', [cut], 'naming');
    expect(r.code).toBe(4);
    expect(fired(r, cut)).not.toContain('naming.footer.icp');
    expect(verdict(r, cut, 'naming.footer.icp')).toBe('undetermined');
  }, 60_000);

  it('a reply that is not HTTP at all: a protocol error (EHTTPPROTO), unknown, exit 4', async () => {
    const r = await scan('not-http', [notHttp], 'reachability,naming');
    expect(r.code).toBe(4);
    expect(r.json.attempts.filter((a) => a.site.code === notHttp.code && a.status !== 'ok').map((a) => a.error?.code)).toContain('EHTTPPROTO');
    expect(site(r, notHttp).state).not.toBe('clean');
    for (const rule of ['naming.footer.icp', 'naming.site-code.page']) expect(verdict(r, notHttp, rule)).toBe('undetermined');
  }, 60_000);
});

describe('one site does not starve the others', () => {
  it('200,000 nested <div>s on one site: the healthy site in the same scan is reached and judged on time', async () => {
    const r = await scan('deep', [deep, healthy], 'reachability,census,headers,naming');
    expect(fired(r, healthy)).not.toContain('census.unreachable');
    expect(verdict(r, healthy, 'census.unreachable')).toBe('cleared');
    // (it has no HTTPS: ETLS is its answer on port 443, not a timeout)
    expect(r.json.attempts.filter((a) => a.site.code === healthy.code && a.status !== 'ok' && a.error?.code !== 'ETLS').map((a) => `${a.check} ${a.error?.code}`)).toEqual([]);
    expect(verdict(r, deep, 'census.unreachable')).toBe('cleared');
    expect(r.ms).toBeLessThan(60_000);
  }, 90_000);

  it('20,000 links that all stall: the per-host failure budget ends the site in bounded time; the rest are unknown with the reason, exit 4', async () => {
    const r = await scan('stall', [links], 'census');
    expect(r.code).toBe(4);
    // three timeouts in a row, two at a time: the rest given up at once, not one interval after another
    expect(r.ms).toBeLessThan(30_000);
    const check = r.json.attempts.find((a) => a.site.code === links.code && a.check === 'links')!;
    expect(check.status).toBe('unknown');
    expect(check.error?.message).toMatch(/E_HOST_FAILING ×2\d\d/);
    // the links that did time out are broken links; none of the given-up ones is counted as broken
    const broken = r.json.findings.filter((f) => f.site.code === links.code && f.ruleId === 'census.links.broken');
    expect(broken.length).toBeLessThan(30);
  }, 90_000);
});

describe('bad rule files and registries: exit 2 naming the file, or read as the office wrote them', () => {
  async function rulesWith(name: string, extra: string): Promise<string> {
    const rules = path.join(dir, name);
    await mkdir(rules, { recursive: true });
    await cp(path.join(repoRoot, 'rules'), rules, { recursive: true });
    await writeFile(path.join(rules, 'local.yaml'), extra);
    return rules;
  }

  it('a user rule with a catastrophic regex (^(a+)+$): refused at load with the file and line, before any scan, exit 2', async () => {
    const rules = await rulesWith(
      'redos',
      `version: 1\nrules:\n  - id: local.title\n    title: { zh: 标题, en: Title }\n    severity: low\n    description: { zh: 说明, en: About }\n    remediation: { zh: 整改, en: Fix }\n    reference: 本地规则\n    scanner: naming\n    observation: naming.page\n    match:\n      fact: title\n      regex: '^(a+)+$'\n`,
    );
    const r = await scan('redos', [healthy], 'naming', ['--rules', rules]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/local\.yaml:1[0-9]/);
    expect(r.ms).toBeLessThan(20_000);
  }, 30_000);

  it('a rule file that is a YAML alias bomb: exit 2 naming the file, not an internal error', async () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const rules = await rulesWith('alias-bomb', `${lines.join('\n')}\nversion: 1\nrules: []\n`);
    const r = await scan('alias-bomb', [healthy], 'naming', ['--rules', rules]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/local\.yaml/);
    expect(r.stderr).not.toMatch(/ReferenceError|internal error/);
  }, 30_000);

  it('a registry CSV saved in GBK with English headers: the names read right, never U+FFFD', async () => {
    const file = path.join(dir, 'gbk.csv');
    // a domain outside .gov.cn, so that lint names the site in its finding
    const text = `code,name,unit,kind,division,urls\n5118000022,雅安市人民政府,雅安市人民政府办公室,portal,511800,https://www.yaan.com.cn/\n`;
    await writeFile(file, encodeGbk(text));
    const r = await runCli(['lint', '--registry', file]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('雅安市人民政府');
    expect(r.stdout).not.toContain('\uFFFD');
  }, 30_000);

  it('lint of a registry of 30,000 sites (9 MB of YAML): linear time and bounded memory, exit 1 with its findings', async () => {
    const file = path.join(dir, 'big.yaml');
    const n = 30_000;
    const body = Array.from({ length: n }, (_, i) => {
      const div = String(110000 + Math.floor(i / 40));
      return `  - code: "${div}${String(i % 40).padStart(4, '0')}"\n    name: 网站${i}\n    unit: 单位${i}\n    kind: department\n    division: "${div}"\n    urls: [http://s${i}.example.cn/]\n`;
    }).join('');
    await writeFile(file, `version: 1\ntitle: big\nsites:\n${body}`);
    const r = await runBuiltCli(['lint', '--registry', file, '--format', 'json'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr.slice(0, 500)).toBe(1);
    const doc = JSON.parse(r.stdout) as { summary?: { sites?: number } };
    expect(JSON.stringify(doc)).toContain('naming.domain.suffix');
  }, 150_000);
});

describe('no Node warnings on stderr', () => {
  it('hunt and investigate under plain node, with more than ten operations in flight on the run\'s signal: no MaxListenersExceededWarning', async () => {
    const yaml = `version: 1\nsites:\n  - { code: "5118000022", name: 雅安市人民政府, unit: 雅安市人民政府办公室, kind: portal, division: "511800", urls: [https://www.yaan.gov.cn/], icp: 蜀ICP备05005390号-1, psb: 川公网安备 51180002000100号 }\n`;
    const file = path.join(dir, 'portal.yaml');
    await writeFile(file, yaml);
    const registry = parseRegistry(yaml, file);
    const s = registry.sites[0]!;
    const lw = lookalikeWorld(registry);
    const w = await startWorld({ hosts: [{ name: 'www.yaan.gov.cn', https: { pages: { '/': { body: governmentHomepage({ code: s.code, name: s.name, unit: s.unit, host: 'www.yaan.gov.cn', icp: s.icp!, psb: s.psb! }) } } } }, ...lw.hosts] });
    try {
      const netArgs = ['--resolver', w.resolver, ...w.connectTo.flatMap((c) => ['--connect-to', c]), '--ca-file', w.caFile, '--allow-private-targets', '--timeout', '3000'];
      const hunt = await runBuiltCli(['hunt', '--registry', file, ...netArgs, '--out', path.join(dir, 'warn-hunt'), '--quiet'], { timeoutMs: 120_000 });
      expect(hunt.code, hunt.stderr).toBe(0);
      expect(hunt.stderr).not.toMatch(/Warning/);
      const inv = await runBuiltCli(['investigate', `http://${lw.planted[0]!.ascii}/`, '--registry', file, ...netArgs, '--out', path.join(dir, 'warn-cases')], { timeoutMs: 120_000 });
      expect(inv.code, inv.stderr).toBe(0);
      expect(inv.stderr).not.toMatch(/Warning/);
    } finally {
      await w.stop();
    }
  }, 240_000);
});

/** GBK bytes of a text, by inverting the GBK decoder over the characters used. */
function encodeGbk(text: string): Buffer {
  const dec = new TextDecoder('gbk');
  const table = new Map<string, Buffer>();
  for (let hi = 0x81; hi <= 0xfe; hi++)
    for (let lo = 0x40; lo <= 0xfe; lo++) {
      const b = Buffer.from([hi, lo]);
      const ch = dec.decode(b);
      if (ch.length === 1 && !table.has(ch)) table.set(ch, b);
    }
  return Buffer.concat([...text].map((ch) => (ch.charCodeAt(0) < 0x80 ? Buffer.from(ch) : table.get(ch)!)));
}
