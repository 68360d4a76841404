/**
 * The address policy, scanner by scanner and in the browser: no connection
 * reaches a host that is not registered and resolves to a private (here:
 * loopback) address unless --allow-private-targets is given — whatever the
 * redirect, link, image, script or frame that leads there.
 *
 * The trap is a set of listeners on 127.0.0.77 (the address `intra.example.cn`
 * resolves to, and the one IP-literal links name) that count every connection.
 * Each case also runs with --allow-private-targets, to show that the path it
 * tries really leads to the trap (TLS aside: it never leaves the registered host).
 */
import net from 'node:net';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '@govscan/testbed';
import { findChromium } from '@govscan/case';
import { runCli, tempDir } from '../helpers/cli.js';

const TRAP = '127.0.0.77';
let world: World;
let dir: string;
let cleanup: () => Promise<void>;
let registryFile: string;
const traps: net.Server[] = [];
let trapPort = 0;
let connections = 0;

const registry = `version: 1
title: address policy
sites:
  - { code: "5118000101", name: 雅安市链接局, unit: 雅安市链接局, kind: department, division: "511800", urls: [https://links.yaan.gov.cn/] }
  - { code: "5118000102", name: 雅安市跳转局, unit: 雅安市跳转局, kind: department, division: "511800", urls: [http://redir.yaan.gov.cn/] }
  - { code: "5118000103", name: 雅安市多跳局, unit: 雅安市多跳局, kind: department, division: "511800", urls: [https://chain.yaan.gov.cn/] }
`;

function page(port: number): string {
  const targets = ['http://intra.example.cn/a', `http://${TRAP}/b`, `http://${TRAP}:${port}/c`, 'https://intra.example.cn/d', `https://[::ffff:${TRAP}]/e`];
  return `<!doctype html><html><head><meta charset="utf-8"><title>雅安市链接局</title>
<link rel="stylesheet" href="http://intra.example.cn/s.css"><script src="http://${TRAP}:${port}/s.js"></script></head><body>
<h1>雅安市链接局</h1>
<ul class="news">${targets.map((t, i) => `<li><a href="${t}">通知${i}</a><span>2026-12-0${i + 1}</span></li>`).join('')}</ul>
${targets.map((t) => `<img src="${t}.png" alt="">`).join('\n')}
<iframe src="http://intra.example.cn/frame"></iframe>
<script>fetch('http://${TRAP}:${port}/xhr').catch(()=>{}); new Image().src='http://intra.example.cn/beacon'; setTimeout(()=>{location.href='http://intra.example.cn/moved'},300)</script>
<p>网站标识码：5118000101 主办单位：雅安市链接局</p></body></html>`;
}

async function trap(port: number): Promise<number> {
  const server = net.createServer((socket) => {
    connections++;
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: 28\r\nconnection: close\r\n\r\n<title>内网系统</title>内网'));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen({ port, host: TRAP, exclusive: true }, () => resolve()));
  traps.push(server);
  return (server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  registryFile = path.join(dir, 'registry.yaml');
  await writeFile(registryFile, registry);
  // the world's ports are known only once it runs: pick the trap's own port first
  trapPort = await trap(0);
  world = await startWorld({
    hosts: [
      { name: 'links.yaan.gov.cn', http: { pages: { '/': { redirect: 'https://links.yaan.gov.cn/' } } }, https: { pages: { '/': { body: page(trapPort) }, '/go': { redirect: 'http://intra.example.cn/' } } } },
      { name: 'redir.yaan.gov.cn', http: { pages: { '/': { redirect: 'http://intra.example.cn/' } } }, https: { pages: { '/': { redirect: `http://${TRAP}/` } } } },
      { name: 'chain.yaan.gov.cn', http: { pages: { '/': { redirect: 'https://chain.yaan.gov.cn/' } } }, https: { pages: { '/': { redirect: '/step' }, '/step': { redirect: `https://intra.example.cn/` } } } },
      { name: 'intra.example.cn', dns: { a: [TRAP] } },
      // a lookalike of the registered names (fuzzer gov-joined), on the trap
      { name: 'yaan-gov.cn', dns: { a: [TRAP] } },
    ],
  });
  await trap(world.httpPort);
  await trap(world.httpsPort);
}, 30_000);
afterAll(async () => {
  await world?.stop();
  await Promise.all(traps.map((s) => new Promise((r) => s.close(r))));
  await cleanup?.();
});
beforeEach(() => {
  connections = 0;
});

const netArgs = (): string[] => ['--resolver', world.resolver, ...world.connectTo.flatMap((c) => ['--connect-to', c]), '--ca-file', world.caFile, '--timeout', '3000'];

async function scan(scanner: string, allow: boolean): Promise<{ code: number; connections: number; stdout: string }> {
  connections = 0;
  const out = path.join(dir, `${scanner}-${allow}`);
  const r = await runCli(['scan', '--registry', registryFile, '--scanners', scanner, ...netArgs(), '--out', out, '--quiet', '--log-level', 'silent', ...(allow ? ['--allow-private-targets'] : [])]);
  await new Promise((r) => setTimeout(r, 100)); // connections still being accepted
  return { code: r.code, connections, stdout: r.stdout };
}

describe('no connection to an unregistered private address without --allow-private-targets', () => {
  for (const scanner of ['reachability', 'census', 'headers', 'naming']) {
    it(`scan --scanners ${scanner}: redirects, chains, links and images to intra.example.cn and ${TRAP} reach nothing`, async () => {
      const refused = await scan(scanner, false);
      expect(refused.code).not.toBe(2);
      expect(refused.connections).toBe(0);
      const allowed = await scan(scanner, true);
      expect(allowed.connections).toBeGreaterThan(0);
    }, 60_000);
  }

  it('scan --scanners tls: only the registered host is ever contacted', async () => {
    expect((await scan('tls', false)).connections).toBe(0);
    expect((await scan('tls', true)).connections).toBe(0);
  }, 60_000);

  it(`hunt: a lookalike that resolves to ${TRAP} is not fetched`, async () => {
    const hunt = async (allow: boolean): Promise<number> => {
      connections = 0;
      const out = path.join(dir, `hunt-${allow}`);
      const r = await runCli(['hunt', '--registry', registryFile, '--sites', '5118000102', '--fuzzers', 'gov-joined', '--resolver', world.resolver, ...world.connectTo.flatMap((c) => ['--connect-to', c]), '--timeout', '3000', '--dns-timeout', '2000', '--out', out, '--quiet', '--log-level', 'silent', ...(allow ? ['--allow-private-targets'] : [])]);
      expect(r.code, r.stderr).not.toBe(2);
      await new Promise((res) => setTimeout(res, 100));
      return connections;
    };
    expect(await hunt(false)).toBe(0);
    expect(await hunt(true)).toBeGreaterThan(0);
  }, 90_000);

  it('investigate of a reported URL on a private address: refused before any connection', async () => {
    const r = await runCli(['investigate', 'http://intra.example.cn/login', '--registry', registryFile, ...netArgs(), '--out', path.join(dir, 'cases-refused')]);
    expect(r.code, r.stderr).toBe(0); // the case is written, and says it was not contacted
    expect(r.stdout).toMatch(/不是名录中的网站|not contacted|refused/);
    expect(connections).toBe(0);
  }, 90_000);

  it.skipIf(findChromium().path === null)('the browser capture: links, images, scripts, frames and a JavaScript redirect to the trap are blocked', async () => {
    const investigate = async (allow: boolean): Promise<{ code: number; stderr: string }> => {
      connections = 0;
      const r = await runCli(['investigate', 'https://links.yaan.gov.cn/', '--registry', registryFile, ...netArgs(), '--browser-timeout', '15000', '--out', path.join(dir, `cases-${allow}`), ...(allow ? ['--allow-private-targets'] : [])]);
      await new Promise((res) => setTimeout(res, 300));
      return { code: r.code, stderr: r.stderr };
    };
    const refused = await investigate(false);
    expect(refused.code, refused.stderr).toBe(0);
    expect(connections).toBe(0);
    await investigate(true);
    expect(connections).toBeGreaterThan(0);
  }, 150_000);
});
